-- grid_history: one grid's weekly visits, for the $weeks weeks ending with the week starting $week,
-- from the first week any grid reported: week_start, households, households_visited (0 if the grid
-- did not report), visit_rate (NULL if the grid has no households), reported. No rows when the grid
-- is not in the township scope.
-- Parameters: $grid_id, $week (DATE, a Monday), $weeks (INT >= 1),
--             $township (township_id, or NULL for the whole county).
WITH the_grid AS (
    SELECT grid_id, households
    FROM grids_in_scope($township)
    WHERE grid_id = $grid_id
),

weeks AS (
    SELECT week_start
    FROM weeks_ending($week, $weeks)
    WHERE week_start >= (SELECT min(week_start) FROM grid_weekly)
),

final AS (
    SELECT
        w.week_start,
        g.households,
        coalesce(r.households_visited, 0) AS households_visited,
        coalesce(r.households_visited, 0) / nullif(g.households, 0) AS visit_rate,
        r.grid_id IS NOT NULL AS reported
    FROM the_grid AS g
    CROSS JOIN weeks AS w
    LEFT JOIN grid_weekly AS r ON r.grid_id = g.grid_id AND r.week_start = w.week_start
)

SELECT * FROM final
ORDER BY week_start
