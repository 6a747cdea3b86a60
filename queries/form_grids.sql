-- The grids of one township, for its prefilled weekly form: grid_id, grid_name, zone_name,
-- community_name, in the order a clerk knows them (community, zone, grid).
-- Parameters: $township (township_id).
WITH final AS (
    SELECT
        g.grid_id, g.name AS grid_name, z.name AS zone_name, c.name AS community_name,
        c.community_id, z.zone_id
    FROM grids AS g
    JOIN zones AS z ON z.zone_id = g.zone_id
    JOIN communities AS c ON c.community_id = z.community_id
    WHERE c.township_id = $township
)

SELECT grid_id, grid_name, zone_name, community_name
FROM final
ORDER BY community_id, zone_id, grid_id
