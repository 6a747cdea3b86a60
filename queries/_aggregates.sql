-- The weekly tables a version is published with (dashboard.store.Store.publish, inside the
-- version file, so they are never half-applied): one row per week and checkpoint, and per week
-- and grid, for every week with data, so that trends and weekly figures read small tables
-- (checkpoint_weeks and grid_weeks in queries/_macros.sql). agg_info.format is
-- dashboard.queries.AGGREGATES_FORMAT: a version whose tables are of another format is read
-- as one without them. Statements are separated by a line holding only `;`.
-- Parameters: $first_week (DATE, a Monday), $weeks (INTEGER >= 0), $format (INTEGER).
DROP TABLE IF EXISTS agg_info
;
DROP TABLE IF EXISTS agg_checkpoint_week
;
DROP TABLE IF EXISTS agg_grid_week
;
-- Every week from $first_week ($weeks of them: queries/shift_span.sql).
CREATE TABLE agg_checkpoint_week AS
WITH final AS (
    SELECT * FROM checkpoint_weeks_computed($first_week::DATE, $weeks::INTEGER, NULL)
)

SELECT * FROM final
ORDER BY week_start, township_id, checkpoint_id
;
CREATE TABLE agg_grid_week AS
WITH final AS (
    SELECT * FROM grid_weeks_computed(DATE '0001-01-01', DATE '9999-12-31', NULL)
)

SELECT * FROM final
ORDER BY week_start, township_id, grid_id
;
CREATE TABLE agg_info AS SELECT $format::INTEGER AS format
