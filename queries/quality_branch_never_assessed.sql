-- Data quality (issue 10 §3): branches in scope with no assessment dated on or before the end
-- of the week starting $week. One row per branch: township_id, township_name,
-- township_name_en, village, group_name, branch_id, name.
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for the whole county).
SELECT b.township_id, t.name AS township_name, t.name_en AS township_name_en, b.village,
       b.group_name, b.branch_id, b.name
FROM branches AS b
LEFT JOIN townships AS t ON t.township_id = b.township_id
WHERE ($township IS NULL OR b.township_id = $township)
  AND b.branch_id NOT IN (SELECT branch_id FROM branch_assessments
                          WHERE assessed_on < $week::DATE + 7)
ORDER BY b.township_id, b.branch_id
