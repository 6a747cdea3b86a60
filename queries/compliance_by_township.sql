-- compliance_by_township: border branches per week and township, for the $weeks weeks ending with
-- the week starting $week: week_start, township_id, total, compliant, model, linked (all four
-- link_* true: "4+N"). A branch is compliant in a week when its latest assessment on or before the
-- week's end passed every criterion in $criteria; a branch never assessed is not compliant.
-- Townships without branches have no row.
-- Parameters: $week (DATE, a Monday), $weeks (INT >= 1),
--             $township (township_id, or NULL for the whole county), $criteria (VARCHAR[]).
WITH weeks AS (
    SELECT week_start FROM weeks_ending($week, $weeks)
),

branches_in_scope AS (
    SELECT
        branch_id,
        township_id,
        is_model,
        link_county_leader AND link_unit AND link_township AND link_village_team AS linked
    FROM branches
    WHERE $township IS NULL OR township_id = $township
),

-- An assessment (a branch on a date) has one row per criterion (the loader checks the key
-- and the codes), so it passed all when it has as many passed rows as there are criteria.
assessments AS (
    SELECT
        branch_id,
        assessed_on,
        count(*) FILTER (WHERE passed) = len($criteria) AS all_passed
    FROM branch_assessments
    WHERE assessed_on < $week::DATE + 7
    GROUP BY branch_id, assessed_on
),

latest_assessment AS (
    SELECT w.week_start, a.branch_id, arg_max(a.all_passed, a.assessed_on) AS compliant
    FROM weeks AS w
    JOIN assessments AS a ON a.assessed_on < w.week_start + 7
    GROUP BY w.week_start, a.branch_id
),

final AS (
    SELECT
        w.week_start,
        b.township_id,
        count(*) AS total,
        count(*) FILTER (WHERE l.compliant) AS compliant,
        count(*) FILTER (WHERE b.is_model) AS model,
        count(*) FILTER (WHERE b.linked) AS linked
    FROM branches_in_scope AS b
    CROSS JOIN weeks AS w
    LEFT JOIN latest_assessment AS l
        ON l.branch_id = b.branch_id AND l.week_start = w.week_start
    GROUP BY w.week_start, b.township_id
)

SELECT * FROM final
ORDER BY week_start, township_id
