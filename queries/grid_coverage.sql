-- grid_coverage: community grids and their members per week, for the $weeks weeks ending with the
-- week starting $week: week_start, total (grids in scope), staffed (grids with an assigned member
-- who reported on or before the week's end), households, households_visited (that week's reports; 0
-- where a grid did not report), reporting (grids with a report that week), members_reported
-- (members who reported on or before the week's end), members_assigned (of those, with a grid),
-- members_households_linked (their households_linked), counted_total and counted_households
-- (grids and households of the townships whose grid part of that week counts: reported, not
-- withheld; the denominators of the visit and reporting rates). Members count in their grid's
-- township; unassigned members only county-wide.
-- Parameters: $week (DATE, a Monday), $weeks (INT >= 1),
--             $township (township_id, or NULL for the whole county),
--             $withheld (VARCHAR[] of township_ids left out of $week, or NULL).
WITH weeks AS (
    SELECT week_start FROM weeks_ending($week, $weeks)
),

scoped_grids AS (
    SELECT grid_id, households, township_id
    FROM grids_in_scope($township)
),

counted AS (
    SELECT week_start, township_id
    FROM counted_grid_townships($week::DATE - 7 * ($weeks::INTEGER - 1), $week, $withheld)
),

counted_totals AS (
    SELECT c.week_start, count(*) AS total, coalesce(sum(g.households), 0)::BIGINT AS households
    FROM counted AS c
    JOIN scoped_grids AS g ON g.township_id = c.township_id
    GROUP BY c.week_start
),

grid_totals AS (
    SELECT count(*) AS total, coalesce(sum(households), 0)::BIGINT AS households
    FROM scoped_grids
),

members_in_scope AS (
    SELECT grid_id, reported_on, households_linked
    FROM members
    WHERE $township IS NULL OR grid_id IN (SELECT grid_id FROM scoped_grids)
),

-- Members by the day they reported, and grids by the day their first member reported: a few
-- rows per day, so that joining them to the weeks stays small however many members there are.
members_by_day AS (
    SELECT
        reported_on,
        count(*) AS reported,
        count(grid_id) AS assigned,
        sum(households_linked) AS households_linked
    FROM members_in_scope
    GROUP BY reported_on
),

grids_by_first_report AS (
    SELECT first_reported_on, count(*) AS grids
    FROM (
        SELECT grid_id, min(reported_on) AS first_reported_on
        FROM members_in_scope
        WHERE grid_id IS NOT NULL
        GROUP BY grid_id
    )
    GROUP BY first_reported_on
),

members_per_week AS (
    SELECT
        w.week_start,
        sum(d.reported)::BIGINT AS reported,
        sum(d.assigned)::BIGINT AS assigned,
        sum(d.households_linked)::BIGINT AS households_linked
    FROM weeks AS w
    JOIN members_by_day AS d ON d.reported_on < w.week_start + 7
    GROUP BY w.week_start
),

staffed_per_week AS (
    SELECT w.week_start, sum(f.grids)::BIGINT AS staffed
    FROM weeks AS w
    JOIN grids_by_first_report AS f ON f.first_reported_on < w.week_start + 7
    GROUP BY w.week_start
),

reports_per_week AS (
    SELECT
        r.week_start,
        count(*) AS reporting,
        sum(r.households_visited)::BIGINT AS households_visited
    FROM grid_weeks($week::DATE - 7 * ($weeks::INTEGER - 1), $week, $township) AS r
    SEMI JOIN counted AS c ON c.week_start = r.week_start AND c.township_id = r.township_id
    GROUP BY r.week_start
),

final AS (
    SELECT
        w.week_start,
        t.total,
        coalesce(s.staffed, 0) AS staffed,
        t.households,
        coalesce(r.households_visited, 0) AS households_visited,
        coalesce(r.reporting, 0) AS reporting,
        coalesce(m.reported, 0) AS members_reported,
        coalesce(m.assigned, 0) AS members_assigned,
        coalesce(m.households_linked, 0) AS members_households_linked,
        coalesce(ct.total, 0) AS counted_total,
        coalesce(ct.households, 0) AS counted_households
    FROM weeks AS w
    CROSS JOIN grid_totals AS t
    LEFT JOIN members_per_week AS m ON m.week_start = w.week_start
    LEFT JOIN staffed_per_week AS s ON s.week_start = w.week_start
    LEFT JOIN reports_per_week AS r ON r.week_start = w.week_start
    LEFT JOIN counted_totals AS ct ON ct.week_start = w.week_start
)

SELECT * FROM final
ORDER BY week_start
