-- Data quality (issue 10 §3): checkpoints in scope with no shift in the week starting $week
-- (no shift overlapping it). One row per checkpoint: township_id, township_name,
-- township_name_en, checkpoint_id, name, kind, last_shift (the start of its latest shift
-- before the week's end; NULL if it has none).
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for the whole county).
WITH checkpoints_in_scope AS (
    SELECT c.checkpoint_id, c.name, c.kind, c.township_id, t.name AS township_name,
           t.name_en AS township_name_en
    FROM checkpoints AS c
    LEFT JOIN townships AS t ON t.township_id = c.township_id
    WHERE $township IS NULL OR c.township_id = $township
),

-- A shift lasts at most 24 h: one starting the day before the week may reach into it.
in_week AS (
    SELECT DISTINCT checkpoint_id
    FROM checkpoint_shifts
    WHERE shift_start < $week::TIMESTAMP + INTERVAL 7 DAY
      AND shift_end > $week::TIMESTAMP
      AND shift_start > $week::TIMESTAMP - INTERVAL 1 DAY
),

last_shift AS (
    SELECT checkpoint_id, max(shift_start) AS last_shift
    FROM checkpoint_shifts
    WHERE shift_start < $week::TIMESTAMP + INTERVAL 7 DAY
    GROUP BY checkpoint_id
)

SELECT c.township_id, c.township_name, c.township_name_en, c.checkpoint_id, c.name, c.kind,
       l.last_shift
FROM checkpoints_in_scope AS c
LEFT JOIN last_shift AS l ON l.checkpoint_id = c.checkpoint_id
WHERE c.checkpoint_id NOT IN (SELECT checkpoint_id FROM in_week)
ORDER BY c.township_id, c.checkpoint_id
