-- branch_status: one row per border branch in scope, as of the week starting $week:
-- branch_id, name, township_id, village, group_name, on_border_line, party_members, is_model,
-- linked (all four link_* true), lon, lat, last_assessed_on (NULL if never assessed),
-- failed_criteria (criteria of $criteria not passed in that assessment; [] if never assessed),
-- compliant.
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for the whole county),
--             $criteria (VARCHAR[], in display order).
WITH branches_in_scope AS (
    SELECT
        branch_id, name, township_id, village, group_name, on_border_line, party_members, is_model,
        link_county_leader AND link_unit AND link_township AND link_village_team AS linked,
        lon, lat
    FROM branches
    WHERE $township IS NULL OR township_id = $township
),

latest_assessment AS (
    SELECT branch_id, max(assessed_on) AS assessed_on
    FROM branch_assessments
    WHERE assessed_on < $week::DATE + 7
    GROUP BY branch_id
),

latest_results AS (
    SELECT
        a.branch_id,
        a.assessed_on,
        coalesce(list(a.criterion) FILTER (WHERE a.passed), []) AS passed_criteria
    FROM branch_assessments AS a
    JOIN latest_assessment AS l
        ON a.branch_id = l.branch_id AND a.assessed_on = l.assessed_on
    GROUP BY a.branch_id, a.assessed_on
),

final AS (
    SELECT
        b.*,
        r.assessed_on AS last_assessed_on,
        CASE WHEN r.branch_id IS NULL THEN []::VARCHAR[]
             ELSE list_filter($criteria, lambda c: NOT list_contains(r.passed_criteria, c))
        END AS failed_criteria,
        r.branch_id IS NOT NULL AND list_has_all(r.passed_criteria, $criteria) AS compliant
    FROM branches_in_scope AS b
    LEFT JOIN latest_results AS r ON r.branch_id = b.branch_id
)

SELECT * FROM final
ORDER BY township_id, branch_id
