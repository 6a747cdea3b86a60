-- submission_fingerprints: what each township has stored for the week starting $week, as a
-- fingerprint that changes whenever a row of it is added, changed or removed: township_id, rows (of
-- its grid reports, shifts starting in the week, trainings held and assessments made in the week),
-- digest (a sum of the rows' hashes). Comparing two versions' fingerprints tells which version
-- brought a township's week.
-- Parameters: $week (DATE, a Monday).
WITH grid_rows AS (
    SELECT g.township_id, hash(w) AS h
    FROM grid_weekly AS w
    JOIN grids_in_scope(NULL) AS g ON g.grid_id = w.grid_id
    WHERE w.week_start = $week::DATE
),

shift_rows AS (
    SELECT k.township_id, hash(s) AS h
    FROM checkpoint_shifts AS s
    JOIN checkpoints AS k ON k.checkpoint_id = s.checkpoint_id
    WHERE s.shift_start >= $week::TIMESTAMP
      AND s.shift_start < $week::TIMESTAMP + INTERVAL 7 DAY
),

training_rows AS (
    SELECT township_id, hash(t) AS h
    FROM trainings AS t
    WHERE held_on >= $week::DATE AND held_on < $week::DATE + 7 AND township_id IS NOT NULL
),

assessment_rows AS (
    SELECT b.township_id, hash(a) AS h
    FROM branch_assessments AS a
    JOIN branches AS b ON b.branch_id = a.branch_id
    WHERE a.assessed_on >= $week::DATE AND a.assessed_on < $week::DATE + 7
),

final AS (
    SELECT township_id, count(*) AS rows, sum(h::HUGEINT) AS digest
    FROM (
        SELECT * FROM grid_rows
        UNION ALL SELECT * FROM shift_rows
        UNION ALL SELECT * FROM training_rows
        UNION ALL SELECT * FROM assessment_rows
    )
    GROUP BY township_id
)

SELECT township_id, rows, CAST(digest AS VARCHAR) AS digest FROM final
ORDER BY township_id
