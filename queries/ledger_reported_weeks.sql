-- ledger_reported_weeks: the township-weeks a version has reported (any grid report, or any
-- shift starting in the week), and for a township with neither grids nor checkpoints (nothing
-- to submit weekly) every week the county has data for: township_id, week_start.
-- dashboard/ledger.py reads it per version to find the first version of the live one's
-- lineage that published a closing week.
-- Parameters: none.
WITH grids_in AS (
    SELECT DISTINCT township_id, week_start
    FROM grid_weeks(DATE '0001-01-01', DATE '9999-12-31', NULL)
),

checkpoints_in AS (
    SELECT DISTINCT township_id, week_start
    FROM checkpoint_weeks(DATE '0001-01-01', DATE '9999-12-31', NULL)
    WHERE persons_checked IS NOT NULL
),

reported AS (
    SELECT * FROM grids_in
    UNION
    SELECT * FROM checkpoints_in
),

nothing_due AS (
    SELECT township_id FROM townships
    EXCEPT
    SELECT township_id FROM grids_in_scope(NULL)
    EXCEPT
    SELECT township_id FROM checkpoints
),

final AS (
    SELECT * FROM reported
    UNION
    SELECT n.township_id, w.week_start
    FROM nothing_due AS n
    CROSS JOIN (SELECT DISTINCT week_start FROM reported) AS w
)

SELECT * FROM final
ORDER BY township_id, week_start
