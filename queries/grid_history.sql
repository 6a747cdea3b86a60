-- One grid's weekly visits, for the $weeks weeks ending with the week starting $week, from the
-- first week any grid reported: week_start, households, households_visited (0 if the grid did
-- not report), visit_rate (NULL if the grid has no households), reported.
-- No rows when the grid is not in the township scope.
-- Parameters: $grid_id, $week (DATE, a Monday), $weeks (INT >= 1),
--             $township (township_id, or NULL for the whole county).
WITH the_grid AS (
    SELECT g.grid_id, g.households
    FROM grids AS g
    LEFT JOIN zones AS z ON z.zone_id = g.zone_id
    LEFT JOIN communities AS c ON c.community_id = z.community_id
    WHERE g.grid_id = $grid_id
      AND ($township IS NULL OR c.township_id = $township)
),

weeks AS (
    SELECT ($week::DATE - 7 * i::INTEGER) AS week_start
    FROM range($weeks) AS t(i)
    WHERE ($week::DATE - 7 * i::INTEGER) >= (SELECT min(week_start) FROM grid_weekly)
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
