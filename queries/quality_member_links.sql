-- Data quality (issue 10 §3): members in scope who link fewer than $min_links or more than
-- $max_links households (the county's rule: each member links 5 to 10). One row per member:
-- member_id, role, households_linked, unit_id, unit_name, grid_id, grid_name, township_id,
-- township_name, township_name_en (grid and township NULL for a member not yet assigned;
-- those are checked only for the whole county, as the metrics count them).
-- Parameters: $township (township_id, or NULL), $min_links, $max_links (INT).
WITH
-- include: _quality_grids

SELECT
    m.member_id, m.role, m.households_linked, m.unit_id, u.name AS unit_name,
    m.grid_id, g.name AS grid_name, g.township_id, g.township_name, g.township_name_en
FROM members_in_scope AS m
LEFT JOIN grids_in_scope AS g ON g.grid_id = m.grid_id
LEFT JOIN units AS u ON u.unit_id = m.unit_id
WHERE m.households_linked < $min_links OR m.households_linked > $max_links
ORDER BY g.township_id NULLS LAST, m.grid_id NULLS LAST, m.member_id
