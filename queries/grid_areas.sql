-- Communities and zones that have grids in scope, for the grid page's drill-down: township_id,
-- community_id, community_name, zone_id, zone_name, grids (how many). The grouping of
-- grid_places.sql, without its outlines.
-- Parameters: $township (township_id, or NULL for the whole county).
WITH grids_in_scope AS (
    SELECT c.township_id, c.community_id, c.name AS community_name, z.zone_id, z.name AS zone_name
    FROM grids AS g
    LEFT JOIN zones AS z ON z.zone_id = g.zone_id
    LEFT JOIN communities AS c ON c.community_id = z.community_id
    WHERE $township IS NULL OR c.township_id = $township
),

final AS (
    SELECT township_id, community_id, community_name, zone_id, zone_name, count(*) AS grids
    FROM grids_in_scope
    GROUP BY ALL
)

SELECT * FROM final
ORDER BY community_id, zone_id
