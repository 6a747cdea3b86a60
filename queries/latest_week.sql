-- latest_week: the Monday of the latest week with data, as week_start (DATE; NULL on an empty
-- store): the latest grid_weekly.week_start, else the Monday of the latest checkpoint shift start,
-- branch assessment or training.
-- Parameters: none.
WITH weekly_reports AS (
    SELECT max(week_start) AS week_start
    FROM grid_weekly
),

other_dates AS (
    SELECT max(shift_start)::DATE AS latest FROM checkpoint_shifts
    UNION ALL
    SELECT max(assessed_on) FROM branch_assessments
    UNION ALL
    SELECT max(held_on) FROM trainings
),

final AS (
    SELECT coalesce(
        (SELECT week_start FROM weekly_reports),
        (SELECT date_trunc('week', max(latest))::DATE FROM other_dates)
    ) AS week_start
)

SELECT * FROM final
