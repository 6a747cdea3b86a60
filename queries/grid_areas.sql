-- grid_areas: communities and zones that have grids in scope, for the grid page's drill-down:
-- township_id, community_id, community_name, zone_id, zone_name, grids (how many). The grouping of
-- grid_places.sql, without its outlines.
-- Parameters: $township (township_id, or NULL for the whole county).
WITH final AS (
    SELECT township_id, community_id, community_name, zone_id, zone_name, count(*) AS grids
    FROM grids_in_scope($township)
    GROUP BY ALL
)

SELECT * FROM final
ORDER BY community_id, zone_id
