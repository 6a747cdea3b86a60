-- Grid members reported on or before the end of the week starting $week, one row:
-- reported, assigned (of those, members with a grid), households_linked.
-- Members count in their grid's township; unassigned members only county-wide.
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for the whole county).
WITH members_in_scope AS (
    SELECT m.member_id, m.grid_id, m.households_linked
    FROM members AS m
    LEFT JOIN grids AS g ON g.grid_id = m.grid_id
    LEFT JOIN zones AS z ON z.zone_id = g.zone_id
    LEFT JOIN communities AS c ON c.community_id = z.community_id
    WHERE m.reported_on < $week::DATE + 7
      AND ($township IS NULL OR c.township_id = $township)
),

final AS (
    SELECT
        count(*) AS reported,
        count(grid_id) AS assigned,
        coalesce(sum(households_linked), 0)::BIGINT AS households_linked
    FROM members_in_scope
)

SELECT * FROM final
