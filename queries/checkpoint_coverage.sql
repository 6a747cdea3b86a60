-- checkpoint_coverage: checkpoint duty per week, for the $weeks weeks ending with the week
-- starting $week: week_start, total (checkpoints in scope), staffed_slots (of total x 168 hour
-- slots a week), staff_hours (staff x hours of each shift inside the week), party_hours (the
-- staff_party part), persons_checked (of shifts starting in the week).
-- Read from the weekly rows per checkpoint (checkpoint_weeks in queries/_macros.sql).
-- Parameters: $week (DATE, a Monday), $weeks (INT >= 1),
--             $township (township_id, or NULL for the whole county).
WITH weeks AS (
    FROM weeks_ending($week, $weeks)
),

per_week AS (
    SELECT
        week_start,
        sum(staffed_slots) AS staffed_slots,
        sum(staff_us) AS staff_us,
        sum(party_us) AS party_us,
        sum(persons_checked) AS persons_checked
    FROM checkpoint_weeks($week::DATE - 7 * ($weeks::INTEGER - 1), $week, $township)
    GROUP BY week_start
),

final AS (
    SELECT
        w.week_start,
        (SELECT count(*) FROM checkpoints_in_scope($township)) AS total,
        coalesce(p.staffed_slots, 0)::BIGINT AS staffed_slots,
        coalesce(p.staff_us / us_per_hour(), 0) AS staff_hours,
        coalesce(p.party_us / us_per_hour(), 0) AS party_hours,
        coalesce(p.persons_checked, 0)::BIGINT AS persons_checked
    FROM weeks AS w
    LEFT JOIN per_week AS p ON p.week_start = w.week_start
)

SELECT * FROM final
ORDER BY week_start
