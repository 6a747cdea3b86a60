-- quality_checkpoint_no_shift: data quality (issue 10 §3): checkpoints in scope with no shift in
-- the week starting $week (no shift overlapping it). One row per checkpoint: township_id,
-- township_name, township_name_en, checkpoint_id, name, kind, last_shift (the start of its latest
-- shift before the week's end; NULL if it has none).
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for the whole county).
WITH
-- A shift lasts at most 24 h: one starting the day before the week may reach into it. The
-- range on shift_start lets DuckDB skip row groups.
in_week AS (
    SELECT DISTINCT checkpoint_id
    FROM checkpoint_shifts
    WHERE shift_start < $week::TIMESTAMP + INTERVAL 7 DAY
      AND shift_start > $week::TIMESTAMP - INTERVAL 1 DAY
      AND shift_end > $week::TIMESTAMP
),

missing AS (
    SELECT c.checkpoint_id, c.name, c.kind, c.township_id
    FROM checkpoints_in_scope($township) AS c
    ANTI JOIN in_week AS w ON w.checkpoint_id = c.checkpoint_id
),

-- Only for the few checkpoints without a shift that week.
last_shift AS (
    SELECT s.checkpoint_id, max(s.shift_start) AS last_shift
    FROM checkpoint_shifts AS s
    SEMI JOIN missing AS m ON m.checkpoint_id = s.checkpoint_id
    WHERE s.shift_start < $week::TIMESTAMP + INTERVAL 7 DAY
    GROUP BY s.checkpoint_id
),

final AS (
    SELECT
        m.township_id, t.name AS township_name, t.name_en AS township_name_en, m.checkpoint_id,
        m.name, m.kind, l.last_shift
    FROM missing AS m
    LEFT JOIN townships AS t ON t.township_id = m.township_id
    LEFT JOIN last_shift AS l ON l.checkpoint_id = m.checkpoint_id
)

SELECT * FROM final
ORDER BY township_id, checkpoint_id
