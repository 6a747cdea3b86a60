-- available_weeks: every Monday with a grid weekly report or a checkpoint shift starting
-- in it, oldest first.
-- Parameters: none.
WITH grid_weeks AS (
    SELECT DISTINCT week_start FROM grid_weekly
),
shift_weeks AS (
    SELECT DISTINCT CAST(date_trunc('week', shift_start) AS DATE) AS week_start
    FROM checkpoint_shifts
),
final AS (
    SELECT week_start FROM grid_weeks
    UNION
    SELECT week_start FROM shift_weeks
)
SELECT week_start FROM final ORDER BY week_start
