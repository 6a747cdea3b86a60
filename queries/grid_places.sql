-- grid_places: where each community grid in scope sits, for the grid page's drill-down, table and
-- map: grid_id, township_id, community_id, community_name, zone_id, zone_name, leader_title (the
-- zone leader's post), unit_name (the unit in charge, NULL if none), residents, geometry (GeoJSON
-- text from the 'grids' layer, NULL if the grid has no outline, or if not $geometry).
-- Parameters: $township (township_id, or NULL for the whole county), $geometry (BOOLEAN: with
--             the outlines; a province's are tens of megabytes and its map shows townships).
WITH final AS (
    SELECT
        g.grid_id, g.township_id, g.community_id, g.community_name, g.zone_id, g.zone_name,
        g.leader_title, u.name AS unit_name, g.residents, f.geometry
    FROM grids_in_scope($township) AS g
    LEFT JOIN units AS u ON u.unit_id = g.unit_id
    LEFT JOIN geo_features AS f
        ON $geometry::BOOLEAN AND f.layer = 'grids' AND f.feature_id = g.grid_id
)

SELECT * FROM final
ORDER BY community_id, zone_id, grid_id
