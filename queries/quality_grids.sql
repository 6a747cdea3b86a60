-- quality_grids: data quality (issue 10 §3): grids in scope that break a roster rule. One row per
-- such grid: township_id, township_name, township_name_en, community_name, zone_name, grid_id,
-- name, households, members (all its members), chiefs (its 网格长: members with role 'chief'),
-- chief_ids (their member codes, comma-separated, where more than one; else ''), households_linked
-- (the sum of its members' households_linked). A grid is listed when chiefs <> 1 (none, or more
-- than one) or households_linked > households; dashboard.quality splits the rows by rule. The
-- roster as loaded: every member counts, whenever they reported.
-- Parameters: $township (township_id, or NULL for the whole county).
WITH member_totals AS (
    SELECT
        grid_id,
        count(*) AS members,
        count(*) FILTER (WHERE role = 'chief') AS chiefs,
        sum(households_linked)::BIGINT AS households_linked
    FROM members
    WHERE grid_id IS NOT NULL
    GROUP BY grid_id
),

in_scope AS (
    SELECT
        g.grid_id, g.name, g.households, g.zone_name, g.community_name, g.township_id,
        tw.name AS township_name, tw.name_en AS township_name_en,
        coalesce(t.members, 0) AS members,
        coalesce(t.chiefs, 0) AS chiefs,
        coalesce(t.households_linked, 0) AS households_linked
    FROM grids_in_scope($township) AS g
    LEFT JOIN member_totals AS t ON t.grid_id = g.grid_id
    LEFT JOIN townships AS tw ON tw.township_id = g.township_id
    WHERE coalesce(t.chiefs, 0) <> 1 OR coalesce(t.households_linked, 0) > g.households
),

chief_lists AS (
    SELECT m.grid_id, string_agg(m.member_id, ', ' ORDER BY m.member_id) AS chief_ids
    FROM members AS m
    JOIN in_scope AS s ON s.grid_id = m.grid_id AND s.chiefs > 1
    WHERE m.role = 'chief'
    GROUP BY m.grid_id
),

final AS (
    SELECT
        s.township_id, s.township_name, s.township_name_en, s.community_name, s.zone_name,
        s.grid_id, s.name, s.households, s.members, s.chiefs,
        coalesce(l.chief_ids, '') AS chief_ids, s.households_linked
    FROM in_scope AS s
    LEFT JOIN chief_lists AS l ON l.grid_id = s.grid_id
)

SELECT * FROM final
ORDER BY township_id, grid_id
