-- grid_visit_rates: one row per community grid in scope for the week starting $week:
-- grid_id, name, township_id, community_id, zone_id, unit_id, lon, lat, households,
-- households_visited (0 if no report), visit_rate (NULL if the grid has no households, or if
-- its township is not reported: 未报, not 0%),
-- reported, members (assigned members reported on or before the week's end), staffed,
-- visit_target (grids.visit_rate target of the week's year: the grid's township row,
-- else the county-wide row, else $default_visit_target), township_reported (the grid's township
-- sent grid reports for the week and is not withheld: where not, the grid is 未报 with its
-- township, not a grid that visited nobody).
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for the whole county),
--             $default_visit_target (DOUBLE), $withheld (VARCHAR[] of township_ids, or NULL).
WITH counted AS (
    SELECT township_id FROM counted_grid_townships($week, $week, $withheld)
),

scoped_grids AS (
    SELECT grid_id, name, township_id, community_id, zone_id, unit_id, lon, lat, households
    FROM grids_in_scope($township)
),

reports AS (
    SELECT grid_id, households_visited
    FROM grid_weeks($week, $week, $township)
),

assigned_members AS (
    SELECT grid_id, count(*) AS members
    FROM members
    WHERE grid_id IS NOT NULL AND reported_on < $week::DATE + 7
    GROUP BY grid_id
),

visit_targets AS (
    SELECT township_id, target
    FROM targets
    WHERE metric = 'grids.visit_rate' AND targets.year = year($week::DATE)
),

final AS (
    SELECT
        g.*,
        coalesce(r.households_visited, 0) AS households_visited,
        CASE WHEN g.township_id IN (SELECT township_id FROM counted)
            THEN coalesce(r.households_visited, 0) / nullif(g.households, 0)
        END AS visit_rate,
        r.grid_id IS NOT NULL AS reported,
        coalesce(m.members, 0) AS members,
        m.grid_id IS NOT NULL AS staffed,
        coalesce(township_target.target, county_target.target, $default_visit_target::DOUBLE)
            AS visit_target,
        g.township_id IN (SELECT township_id FROM counted) AS township_reported
    FROM scoped_grids AS g
    LEFT JOIN reports AS r ON r.grid_id = g.grid_id
    LEFT JOIN assigned_members AS m ON m.grid_id = g.grid_id
    LEFT JOIN visit_targets AS township_target ON township_target.township_id = g.township_id
    LEFT JOIN visit_targets AS county_target ON county_target.township_id IS NULL
)

SELECT * FROM final
ORDER BY township_id, community_id, zone_id, grid_id
