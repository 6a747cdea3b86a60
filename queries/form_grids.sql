-- form_grids: the grids of one township, for its prefilled weekly form: grid_id, grid_name,
-- zone_name, community_name, in the order a clerk knows them (community, zone, grid).
-- Parameters: $township (township_id).
WITH final AS (
    SELECT grid_id, name AS grid_name, zone_name, community_name, community_id, zone_id
    FROM grids_in_scope($township::VARCHAR)
    WHERE township_id = $township
)

SELECT grid_id, grid_name, zone_name, community_name
FROM final
ORDER BY community_id, zone_id, grid_id
