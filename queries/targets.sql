-- targets: targets for $year, one row per metric: metric, target, own_row. For a township, its own
-- row where it has one (own_row true), else the county-wide row (township_id NULL, own_row false);
-- for the county, the county-wide row. metrics.targets() decides which inherited rows apply.
-- Parameters: $year (INT), $township (township_id, or NULL for the whole county).
WITH target_rows AS (
    SELECT metric, township_id, target
    FROM targets
    WHERE year = $year
      AND (township_id IS NULL OR township_id = $township)
),

final AS (
    -- arg_max on "is the township's row" prefers it to the county-wide one
    SELECT
        metric,
        arg_max(target, township_id IS NOT NULL) AS target,
        bool_or(township_id IS NOT NULL) AS own_row
    FROM target_rows
    GROUP BY metric
)

SELECT * FROM final
ORDER BY metric
