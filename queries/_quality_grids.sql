-- Shared CTEs (included by the quality_* queries with `WITH` then `-- include: _quality_grids`):
-- grids_in_scope: grid_id, name, households, zone_id, zone_name, community_name,
-- township_id, township_name, township_name_en; members_in_scope.
-- Parameters: $township (township_id, or NULL for the whole county).
grids_in_scope AS (
    SELECT
        g.grid_id, g.name, g.households, g.zone_id, z.name AS zone_name,
        c.name AS community_name, c.township_id, t.name AS township_name,
        t.name_en AS township_name_en
    FROM grids AS g
    LEFT JOIN zones AS z ON z.zone_id = g.zone_id
    LEFT JOIN communities AS c ON c.community_id = z.community_id
    LEFT JOIN townships AS t ON t.township_id = c.township_id
    WHERE $township IS NULL OR c.township_id = $township
),

-- The members of those grids (all members for the whole county, the unassigned too).
members_in_scope AS (
    SELECT member_id, unit_id, grid_id, role, households_linked
    FROM members
    WHERE $township IS NULL OR grid_id IN (SELECT grid_id FROM grids_in_scope)
)
