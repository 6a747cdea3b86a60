-- For a version published with its weekly tables (queries/_aggregates.sql): checkpoint_weeks
-- and grid_weeks read them instead of computing the same rows (queries/_macros.sql).
-- dashboard.queries creates these in place of those of queries/_macros.sql when the version has
-- the tables, in the format dashboard.queries.AGGREGATES_FORMAT.
CREATE OR REPLACE TEMP MACRO checkpoint_weeks(first_week, last_week, township) AS TABLE
    SELECT week_start, township_id, checkpoint_id, staffed_slots, short_slots, staff_us,
           party_us, persons_checked
    FROM agg_checkpoint_week
    WHERE week_start BETWEEN first_week::DATE AND last_week::DATE
      AND (township IS NULL OR township_id = township)
;
CREATE OR REPLACE TEMP MACRO grid_weeks(first_week, last_week, township) AS TABLE
    SELECT week_start, township_id, grid_id, households_visited
    FROM agg_grid_week
    WHERE week_start BETWEEN first_week::DATE AND last_week::DATE
      AND (township IS NULL OR township_id = township)
