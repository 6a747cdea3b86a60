-- checkpoint_daily: checkpoint duty per day of the week starting $week (7 rows): day (DATE),
-- party_hours, unit_hours, volunteer_hours (staff of that kind x hours of each shift inside that
-- day, so the days add up to checkpoint_coverage.sql's staff_hours), persons_checked (of shifts
-- starting that day, adding up to its persons_checked).
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for the whole county).
WITH days AS (
    SELECT $week::DATE + i::INTEGER AS day
    FROM range(7) AS t(i)
),

-- A shift lasts at most 24 h, so the last condition drops nothing: it lets DuckDB skip row groups.
shifts_in_week AS (
    SELECT shift_start, shift_end, staff_party, staff_unit, staff_volunteer, persons_checked
    FROM checkpoint_shifts
    WHERE checkpoint_id IN (SELECT checkpoint_id FROM checkpoints_in_scope($township))
      AND shift_start < $week::TIMESTAMP + INTERVAL 7 DAY
      AND shift_end > $week::TIMESTAMP
      AND shift_start > $week::TIMESTAMP - INTERVAL 1 DAY
),

-- The part of each shift inside each day it overlaps (a shift spans at most two days).
shift_days AS (
    SELECT
        d.day,
        s.*,
        epoch_us(least(s.shift_end, d.day::TIMESTAMP + INTERVAL 1 DAY)
                 - greatest(s.shift_start, d.day::TIMESTAMP)) AS us_in_day
    FROM shifts_in_week AS s
    JOIN days AS d
        ON s.shift_start < d.day::TIMESTAMP + INTERVAL 1 DAY
       AND s.shift_end > d.day::TIMESTAMP
),

duty_per_day AS (
    SELECT
        day,
        sum(staff_party * us_in_day) / us_per_hour() AS party_hours,
        sum(staff_unit * us_in_day) / us_per_hour() AS unit_hours,
        sum(staff_volunteer * us_in_day) / us_per_hour() AS volunteer_hours
    FROM shift_days
    GROUP BY day
),

checked_per_day AS (
    SELECT shift_start::DATE AS day, sum(persons_checked) AS persons_checked
    FROM shifts_in_week
    WHERE shift_start >= $week::TIMESTAMP
    GROUP BY day
),

final AS (
    SELECT
        d.day,
        coalesce(u.party_hours, 0) AS party_hours,
        coalesce(u.unit_hours, 0) AS unit_hours,
        coalesce(u.volunteer_hours, 0) AS volunteer_hours,
        coalesce(c.persons_checked, 0)::BIGINT AS persons_checked
    FROM days AS d
    LEFT JOIN duty_per_day AS u ON u.day = d.day
    LEFT JOIN checked_per_day AS c ON c.day = d.day
)

SELECT * FROM final
ORDER BY day
