-- quality_member_links: data quality (issue 10 §3): members in scope who link fewer than $min_links
-- or more than $max_links households (the county's rule: each member links 5 to 10). One row per
-- member: member_id, role, households_linked, unit_id, unit_name, grid_id, grid_name, township_id,
-- township_name, township_name_en. Members count in their grid's township; a member not yet
-- assigned to a grid (grid and township NULL) only for the whole county, as the metrics count them.
-- Parameters: $township (township_id, or NULL), $min_links, $max_links (INT).
WITH outside AS (
    SELECT member_id, unit_id, grid_id, role, households_linked
    FROM members
    WHERE households_linked < $min_links OR households_linked > $max_links
),

placed AS (
    SELECT
        m.*, u.name AS unit_name, g.name AS grid_name, g.township_id,
        t.name AS township_name, t.name_en AS township_name_en
    FROM outside AS m
    LEFT JOIN units AS u ON u.unit_id = m.unit_id
    LEFT JOIN grids_in_scope(NULL) AS g ON g.grid_id = m.grid_id
    LEFT JOIN townships AS t ON t.township_id = g.township_id
),

final AS (
    SELECT member_id, role, households_linked, unit_id, unit_name, grid_id, grid_name,
           township_id, township_name, township_name_en
    FROM placed
    WHERE $township IS NULL OR township_id = $township
)

SELECT * FROM final
ORDER BY township_id NULLS LAST, grid_id NULLS LAST, member_id
