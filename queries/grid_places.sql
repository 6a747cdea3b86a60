-- Where each community grid in scope sits, for the grid page's drill-down, table and map:
-- grid_id, township_id, community_id, community_name, zone_id, zone_name, leader_title (the
-- zone leader's post), unit_name (the unit in charge, NULL if none), residents, geometry
-- (GeoJSON text from the 'grids' layer, NULL if the grid has no outline, or if not $geometry).
-- Parameters: $township (township_id, or NULL for the whole county), $geometry (BOOLEAN: with
--             the outlines; a province's are tens of megabytes and its map shows townships).
WITH grids_in_scope AS (
    SELECT
        g.grid_id, g.unit_id, g.residents,
        c.township_id, c.community_id, c.name AS community_name,
        z.zone_id, z.name AS zone_name, z.leader_title
    FROM grids AS g
    LEFT JOIN zones AS z ON z.zone_id = g.zone_id
    LEFT JOIN communities AS c ON c.community_id = z.community_id
    WHERE $township IS NULL OR c.township_id = $township
),

final AS (
    SELECT
        g.grid_id, g.township_id, g.community_id, g.community_name, g.zone_id, g.zone_name,
        g.leader_title, u.name AS unit_name, g.residents, f.geometry
    FROM grids_in_scope AS g
    LEFT JOIN units AS u ON u.unit_id = g.unit_id
    LEFT JOIN geo_features AS f
        ON $geometry::BOOLEAN AND f.layer = 'grids' AND f.feature_id = g.grid_id
)

SELECT * FROM final
ORDER BY community_id, zone_id, grid_id
