-- Data quality (issue 10 §3): grids in scope whose number of 网格长 (members with role 'chief')
-- is not exactly one. One row per such grid: township_id, township_name, township_name_en,
-- community_name, zone_name, grid_id, name, members (all its members), chiefs (0 or more than
-- 1), chief_ids (their member codes, comma-separated; '' for none).
-- The roster as loaded: every member counts, whenever they reported.
-- Parameters: $township (township_id, or NULL for the whole county).
WITH
-- include: _quality_grids
,

per_grid AS (
    SELECT
        g.*,
        count(m.member_id) AS members,
        count(m.member_id) FILTER (WHERE m.role = 'chief') AS chiefs,
        coalesce(string_agg(m.member_id, ', ' ORDER BY m.member_id)
                 FILTER (WHERE m.role = 'chief'), '') AS chief_ids
    FROM grids_in_scope AS g
    LEFT JOIN members_in_scope AS m ON m.grid_id = g.grid_id
    GROUP BY ALL
)

SELECT township_id, township_name, township_name_en, community_name, zone_name, grid_id, name,
       members, chiefs, chief_ids
FROM per_grid
WHERE chiefs <> 1
ORDER BY chiefs, township_id, grid_id
