-- form_shifts: the shift pattern of one township's checkpoints for its prefilled weekly form: each
-- checkpoint's shifts of the latest week before the week starting $week that had any (the
-- previous week, as a rule), moved on to the week of $week. checkpoint_id, checkpoint_name,
-- shift_start, shift_end; a checkpoint with no shift before $week has no rows.
-- Parameters: $township (township_id), $week (DATE, a Monday).
WITH checkpoints_of AS (
    SELECT checkpoint_id, name
    FROM checkpoints_in_scope($township::VARCHAR)
    WHERE township_id = $township
),

earlier AS (
    SELECT s.checkpoint_id, s.shift_start, s.shift_end,
           CAST(date_trunc('week', s.shift_start) AS DATE) AS week_start
    FROM checkpoint_shifts AS s
    JOIN checkpoints_of AS c ON c.checkpoint_id = s.checkpoint_id
    WHERE s.shift_start < $week::TIMESTAMP
),

pattern_week AS (
    SELECT checkpoint_id, max(week_start) AS week_start
    FROM earlier
    GROUP BY checkpoint_id
),

final AS (
    SELECT
        e.checkpoint_id,
        c.name AS checkpoint_name,
        e.shift_start + ($week::DATE - p.week_start) * INTERVAL 1 DAY AS shift_start,
        e.shift_end + ($week::DATE - p.week_start) * INTERVAL 1 DAY AS shift_end
    FROM earlier AS e
    JOIN pattern_week AS p ON p.checkpoint_id = e.checkpoint_id AND p.week_start = e.week_start
    JOIN checkpoints_of AS c ON c.checkpoint_id = e.checkpoint_id
)

SELECT * FROM final
ORDER BY checkpoint_id, shift_start
