-- quality_branch_never_assessed: data quality (issue 10 §3): branches in scope with no assessment
-- dated on or before the end of the week starting $week. One row per branch: township_id,
-- township_name, township_name_en, village, group_name, branch_id, name.
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for the whole county).
WITH assessed AS (
    SELECT DISTINCT branch_id
    FROM branch_assessments
    WHERE assessed_on < $week::DATE + 7
),

final AS (
    SELECT b.township_id, t.name AS township_name, t.name_en AS township_name_en, b.village,
           b.group_name, b.branch_id, b.name
    FROM branches AS b
    ANTI JOIN assessed AS a ON a.branch_id = b.branch_id
    LEFT JOIN townships AS t ON t.township_id = b.township_id
    WHERE $township IS NULL OR b.township_id = $township
)

SELECT * FROM final
ORDER BY township_id, branch_id
