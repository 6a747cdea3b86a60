-- checkpoint_coverage: checkpoint duty per week, for the $weeks weeks ending with the week
-- starting $week: week_start, total (checkpoints in scope), staffed_slots (of total x 168 hour
-- slots a week), counted_total (checkpoints of the townships whose checkpoint part of that week
-- counts: reported, not withheld; staffed_slots and the hours are theirs, of counted_total x 168
-- slots), staff_hours (staff x hours of each shift inside the week), party_hours (the
-- staff_party part), persons_checked (of shifts starting in the week).
-- Read from the weekly rows per checkpoint (checkpoint_weeks in queries/_macros.sql).
-- Parameters: $week (DATE, a Monday), $weeks (INT >= 1),
--             $township (township_id, or NULL for the whole county),
--             $withheld (VARCHAR[] of township_ids left out of $week, or NULL).
WITH weeks AS (
    FROM weeks_ending($week, $weeks)
),

counted AS (
    SELECT week_start, township_id
    FROM counted_checkpoint_townships($week::DATE - 7 * ($weeks::INTEGER - 1), $week, $withheld)
),

counted_totals AS (
    SELECT c.week_start, count(*) AS counted_total
    FROM counted AS c
    JOIN checkpoints_in_scope($township) AS k ON k.township_id = c.township_id
    GROUP BY c.week_start
),

-- A township that did not report the week is left out, also of the hours its shifts of the
-- week before ran past Sunday midnight.
per_week AS (
    SELECT
        r.week_start,
        sum(r.staffed_slots) AS staffed_slots,
        sum(r.staff_us) AS staff_us,
        sum(r.party_us) AS party_us,
        sum(r.persons_checked) AS persons_checked
    FROM checkpoint_weeks($week::DATE - 7 * ($weeks::INTEGER - 1), $week, $township) AS r
    SEMI JOIN counted AS c ON c.week_start = r.week_start AND c.township_id = r.township_id
    GROUP BY r.week_start
),

final AS (
    SELECT
        w.week_start,
        (SELECT count(*) FROM checkpoints_in_scope($township)) AS total,
        coalesce(ct.counted_total, 0)::BIGINT AS counted_total,
        coalesce(p.staffed_slots, 0)::BIGINT AS staffed_slots,
        coalesce(p.staff_us / us_per_hour(), 0) AS staff_hours,
        coalesce(p.party_us / us_per_hour(), 0) AS party_hours,
        coalesce(p.persons_checked, 0)::BIGINT AS persons_checked
    FROM weeks AS w
    LEFT JOIN per_week AS p ON p.week_start = w.week_start
    LEFT JOIN counted_totals AS ct ON ct.week_start = w.week_start
)

SELECT * FROM final
ORDER BY week_start
