-- Data quality (issue 10 §3): grids in scope whose members together link more households than
-- the grid has. One row per such grid: township_id, township_name, township_name_en,
-- community_name, zone_name, grid_id, name, households, members, households_linked (their sum).
-- Parameters: $township (township_id, or NULL for the whole county).
WITH
-- include: _quality_grids
,

per_grid AS (
    SELECT g.*, count(*) AS members, sum(m.households_linked)::BIGINT AS households_linked
    FROM grids_in_scope AS g
    JOIN members_in_scope AS m ON m.grid_id = g.grid_id
    GROUP BY ALL
)

SELECT township_id, township_name, township_name_en, community_name, zone_name, grid_id, name,
       households, members, households_linked
FROM per_grid
WHERE households_linked > households
ORDER BY households_linked - households DESC, township_id, grid_id
