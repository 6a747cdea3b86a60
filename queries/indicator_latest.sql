-- indicator_latest: border-defence indicators as of the end of the week starting $week, one row per
-- indicator with data: indicator, value. For a township, its latest row; for the county, the latest
-- county-level row (township_id NULL) if the indicator has one, else the sum of each township's
-- latest row.
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for the whole county).
WITH latest_rows AS (
    SELECT indicator, township_id, arg_max(value, as_of) AS value
    FROM indicators
    WHERE as_of < $week::DATE + 7
    GROUP BY indicator, township_id
),

county_rows AS (
    SELECT indicator, value
    FROM latest_rows
    WHERE township_id IS NULL
),

township_sums AS (
    SELECT indicator, sum(value) AS value
    FROM latest_rows
    WHERE township_id IS NOT NULL
    GROUP BY indicator
),

county_values AS (
    SELECT indicator, coalesce(c.value, t.value) AS value
    FROM county_rows AS c
    FULL JOIN township_sums AS t USING (indicator)
),

final AS (
    SELECT indicator, value FROM county_values WHERE $township IS NULL
    UNION ALL
    SELECT indicator, value FROM latest_rows WHERE township_id = $township
)

SELECT * FROM final
ORDER BY indicator
