-- submission_board: the submission board (报送情况) for the week starting $week: one row per township
-- in scope with what it sent for that week. township_id, name, name_en, grids_total, grids_reported
-- (grids with a weekly report for the week), checkpoints_total, checkpoint_days (checkpoint-days
-- covered: a checkpoint and a day of the week on which some shift of that checkpoint starts; of 7 x
-- checkpoints_total), trainings (activities of the township held in the week), branches_total,
-- branches_assessed (branches of the township with an assessment in the week).
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for every township).
WITH towns AS (
    SELECT township_id, name, name_en
    FROM townships
    WHERE $township IS NULL OR township_id = $township
),

grid_totals AS (
    SELECT township_id, count(*) AS grids_total
    FROM grids_in_scope($township)
    GROUP BY township_id
),

grid_reports AS (
    SELECT township_id, count(*) AS grids_reported
    FROM grid_weeks($week, $week, $township)
    GROUP BY township_id
),

checkpoint_counts AS (
    SELECT township_id, count(*) AS checkpoints_total
    FROM checkpoints
    GROUP BY township_id
),

checkpoint_days AS (
    SELECT k.township_id,
           count(DISTINCT (s.checkpoint_id, CAST(s.shift_start AS DATE))) AS checkpoint_days
    FROM checkpoint_shifts AS s
    JOIN checkpoints AS k ON k.checkpoint_id = s.checkpoint_id
    WHERE s.shift_start >= $week::TIMESTAMP
      AND s.shift_start < $week::TIMESTAMP + INTERVAL 7 DAY
    GROUP BY k.township_id
),

training_counts AS (
    SELECT township_id, count(*) AS trainings
    FROM trainings
    WHERE held_on >= $week::DATE AND held_on < $week::DATE + 7
    GROUP BY township_id
),

branch_counts AS (
    SELECT township_id, count(*) AS branches_total
    FROM branches
    GROUP BY township_id
),

assessed AS (
    SELECT b.township_id, count(DISTINCT a.branch_id) AS branches_assessed
    FROM branch_assessments AS a
    JOIN branches AS b ON b.branch_id = a.branch_id
    WHERE a.assessed_on >= $week::DATE AND a.assessed_on < $week::DATE + 7
    GROUP BY b.township_id
),

final AS (
    SELECT
        t.township_id, t.name, t.name_en,
        coalesce(g.grids_total, 0)::BIGINT AS grids_total,
        coalesce(gr.grids_reported, 0)::BIGINT AS grids_reported,
        coalesce(k.checkpoints_total, 0)::BIGINT AS checkpoints_total,
        coalesce(d.checkpoint_days, 0)::BIGINT AS checkpoint_days,
        coalesce(tr.trainings, 0)::BIGINT AS trainings,
        coalesce(b.branches_total, 0)::BIGINT AS branches_total,
        coalesce(a.branches_assessed, 0)::BIGINT AS branches_assessed
    FROM towns AS t
    LEFT JOIN grid_totals AS g ON g.township_id = t.township_id
    LEFT JOIN grid_reports AS gr ON gr.township_id = t.township_id
    LEFT JOIN checkpoint_counts AS k ON k.township_id = t.township_id
    LEFT JOIN checkpoint_days AS d ON d.township_id = t.township_id
    LEFT JOIN training_counts AS tr ON tr.township_id = t.township_id
    LEFT JOIN branch_counts AS b ON b.township_id = t.township_id
    LEFT JOIN assessed AS a ON a.township_id = t.township_id
)

SELECT * FROM final
ORDER BY township_id
