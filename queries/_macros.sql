-- Shared SQL, declared once: DuckDB macros that queries/*.sql use by name.
-- TEMP macros live in the connection's own catalog, so they are created on read-only
-- connections too: dashboard.queries.run creates on each cursor it runs a query on the macros
-- that query needs (once per cursor), and Store.connect all of them on the connection it
-- opens. Statements are separated by a line holding only `;`, in an order in which each macro
-- comes after those it calls. Macro parameters are values (bound $parameters of the calling
-- query), never text put into SQL.

-- Named numbers ------------------------------------------------------------------------------

-- Hour slots in a week (7 x 24).
CREATE OR REPLACE TEMP MACRO hours_per_week() AS 168
;
-- Microseconds in an hour, as DOUBLE (epoch_us differences / us_per_hour() = hours).
CREATE OR REPLACE TEMP MACRO us_per_hour() AS 3600000000::DOUBLE
;
-- Microseconds in a week (168 x 3,600,000,000), as BIGINT.
CREATE OR REPLACE TEMP MACRO us_per_week() AS 604800000000::BIGINT
;

-- Weeks ----------------------------------------------------------------------------------

-- weeks_ending(week, weeks): the `weeks` Mondays ending with `week`: week_index (0 = the
-- oldest), week_start (DATE).
CREATE OR REPLACE TEMP MACRO weeks_ending(week, weeks) AS TABLE
    SELECT
        i AS week_index,
        week::DATE - 7 * (weeks::INTEGER - 1 - i::INTEGER) AS week_start
    FROM range(weeks::INTEGER) AS t(i)
;

-- Scopes: what a township sees (township NULL = the whole county) ------------------------

-- grids_in_scope(township): the grids of the township with where they sit: every column of
-- grids, and zone_name, leader_title, community_id, community_name, township_id.
-- A grid belongs to a township through its zone and the zone's community.
CREATE OR REPLACE TEMP MACRO grids_in_scope(township) AS TABLE
    SELECT
        g.*,
        z.name AS zone_name, z.leader_title,
        z.community_id, c.name AS community_name, c.township_id
    FROM grids AS g
    LEFT JOIN zones AS z ON z.zone_id = g.zone_id
    LEFT JOIN communities AS c ON c.community_id = z.community_id
    WHERE township IS NULL OR c.township_id = township
;

-- checkpoints_in_scope(township): every column of the township's checkpoints, and k (1, 2, ...
-- in checkpoint_id order: an integer to sort and join the hour-slot chain on).
CREATE OR REPLACE TEMP MACRO checkpoints_in_scope(township) AS TABLE
    SELECT *, row_number() OVER (ORDER BY checkpoint_id) AS k
    FROM checkpoints
    WHERE township IS NULL OR township_id = township
;

-- trainings_ytd(week, township): every column of the trainings in scope held from 1 January
-- of `week`'s year to the end of the week starting `week`. County-level trainings (township_id
-- NULL) count only county-wide.
CREATE OR REPLACE TEMP MACRO trainings_ytd(week, township) AS TABLE
    SELECT *
    FROM trainings
    WHERE held_on >= date_trunc('year', week::DATE)::DATE
      AND held_on < week::DATE + 7
      AND (township IS NULL OR township_id = township)
;

-- The hour-slot chain: checkpoint shifts -> hour slots -> staff on duty ---------------------

-- checkpoint_shifts_in(first_week, weeks, township): the shifts of checkpoints in scope that
-- overlap the `weeks` weeks from the Monday `first_week`: k, checkpoint_id, township_id,
-- required_staff, staff (all kinds), staff_party, persons_checked, start_us and end_us
-- (microseconds from first_week's start). A shift lasts at most 24 h, so the last condition
-- drops nothing: it lets DuckDB skip row groups.
CREATE OR REPLACE TEMP MACRO checkpoint_shifts_in(first_week, weeks, township) AS TABLE
    SELECT
        c.k, c.checkpoint_id, c.township_id, c.required_staff,
        s.staff_party + s.staff_unit + s.staff_volunteer AS staff,
        s.staff_party,
        s.persons_checked,
        epoch_us(s.shift_start - first_week::TIMESTAMP) AS start_us,
        epoch_us(s.shift_end - first_week::TIMESTAMP) AS end_us
    FROM checkpoint_shifts AS s
    JOIN checkpoints_in_scope(township) AS c ON c.checkpoint_id = s.checkpoint_id
    WHERE s.shift_start < first_week::TIMESTAMP + to_days(7 * weeks::INTEGER)
      AND s.shift_end > first_week::TIMESTAMP
      AND s.shift_start > first_week::TIMESTAMP - INTERVAL 1 DAY
;

-- checkpoint_staff_runs(first_week, weeks, township): the staff on duty at each checkpoint in
-- scope over the `weeks` weeks from first_week, as runs of hour slots (slot 0 = first_week's
-- Monday 00:00): k, checkpoint_id, name, township_id, kind, required_staff, run_start, run_end
-- (exclusive), staff. The runs of a checkpoint cover every slot of the weeks, and none crosses
-- a week's end.
CREATE OR REPLACE TEMP MACRO checkpoint_staff_runs(first_week, weeks, township) AS TABLE
    WITH
    -- A shift staffs hour slot [h, h+1) only if it covers the whole hour (shift_start <= h and
    -- shift_end >= h+1): slots ceil(start) up to floor(end) - 1. A shift from 08:30 does not
    -- staff slot 08:00.
    covered_slots AS (
        SELECT
            k,
            staff,
            greatest(ceil(start_us / us_per_hour()), 0)::BIGINT AS first_slot,
            least(floor(end_us / us_per_hour()), hours_per_week() * weeks::INTEGER)::BIGINT
                AS end_slot
        FROM checkpoint_shifts_in(first_week, weeks, township)
    ),
    -- Overlapping shifts add up: the staff on duty changes by +staff at a shift's first slot
    -- and by -staff at its end slot; the running sum gives the staff from one change to the
    -- next. A change of 0 at every week boundary (0, 168, ..., 168 x weeks) of every checkpoint
    -- makes the runs cover the whole of each week and end at its end.
    staff_changes AS (
        SELECT k, first_slot AS slot, staff AS change FROM covered_slots WHERE first_slot < end_slot
        UNION ALL
        SELECT k, end_slot, -staff FROM covered_slots WHERE first_slot < end_slot
        UNION ALL
        SELECT c.k, hours_per_week() * b.i, 0
        FROM checkpoints_in_scope(township) AS c
        CROSS JOIN range(weeks::INTEGER + 1) AS b(i)
    ),
    -- A checkpoint's changes add up to 0, so one running sum over all checkpoints in order
    -- gives each checkpoint's own staff (one sort: much cheaper than a window per checkpoint).
    staff_runs AS (
        SELECT
            k,
            slot AS run_start,
            CASE WHEN lead(k) OVER by_slot = k THEN lead(slot) OVER by_slot END AS run_end,
            sum(change) OVER (by_slot ROWS UNBOUNDED PRECEDING) AS staff
        FROM staff_changes
        WINDOW by_slot AS (ORDER BY k, slot)
    )
    SELECT
        r.k, c.checkpoint_id, c.name, c.township_id, c.kind, c.required_staff,
        r.run_start, r.run_end, r.staff
    FROM staff_runs AS r
    JOIN checkpoints_in_scope(township) AS c ON c.k = r.k
    WHERE r.run_end > r.run_start
;

-- Per week and checkpoint, per week and grid: the rows the publish step stores ---------------

-- checkpoint_weeks_computed(first_week, weeks, township): one row per week of the `weeks`
-- weeks from first_week and checkpoint in scope with any shift in that week: week_start,
-- township_id, checkpoint_id, staffed_slots (hour slots with staff >= required_staff),
-- short_slots (some staff, fewer than required; the rest of the 168 nobody), staff_us and
-- party_us (staff x microseconds of each shift inside the week: all staff, the staff_party
-- part), persons_checked (of shifts starting in the week; NULL when none did).
-- Sums of these over checkpoints are the week's figures, exactly: the durations stay integers
-- until they are divided into hours.
CREATE OR REPLACE TEMP MACRO checkpoint_weeks_computed(first_week, weeks, township) AS TABLE
    WITH
    slots AS (
        SELECT
            run_start // hours_per_week() AS week_index,
            checkpoint_id,
            township_id,
            sum(run_end - run_start) FILTER (WHERE staff >= required_staff) AS staffed_slots,
            sum(run_end - run_start) FILTER (WHERE staff > 0 AND staff < required_staff)
                AS short_slots
        FROM checkpoint_staff_runs(first_week, weeks, township)
        GROUP BY ALL
        HAVING sum(run_end - run_start) FILTER (WHERE staff > 0) > 0
    ),
    -- The part of each shift inside the week it starts in and the next one (a shift lasts at
    -- most 24 h).
    shift_parts AS (
        SELECT
            *,
            least(end_us, (week_index + 1) * us_per_week())
                - greatest(start_us, week_index * us_per_week()) AS us_in_week
        FROM (
            SELECT s.*, floor(s.start_us / us_per_week())::BIGINT + p.next AS week_index
            FROM checkpoint_shifts_in(first_week, weeks, township) AS s
            CROSS JOIN (VALUES (0), (1)) AS p(next)
        )
        WHERE week_index BETWEEN 0 AND weeks::INTEGER - 1
    ),
    duty AS (
        SELECT
            week_index,
            checkpoint_id,
            township_id,
            sum(staff * us_in_week) AS staff_us,
            sum(staff_party * us_in_week) AS party_us,
            sum(persons_checked) FILTER (WHERE start_us >= week_index * us_per_week())
                AS persons_checked
        FROM shift_parts
        WHERE us_in_week > 0
        GROUP BY ALL
    )
    SELECT
        first_week::DATE + 7 * week_index::INTEGER AS week_start,
        township_id,
        checkpoint_id,
        coalesce(s.staffed_slots, 0)::BIGINT AS staffed_slots,
        coalesce(s.short_slots, 0)::BIGINT AS short_slots,
        coalesce(d.staff_us, 0)::HUGEINT AS staff_us,
        coalesce(d.party_us, 0)::HUGEINT AS party_us,
        d.persons_checked::HUGEINT AS persons_checked
    FROM slots AS s
    FULL JOIN duty AS d USING (week_index, checkpoint_id, township_id)
;

-- grid_weeks_computed(first_week, last_week, township): the grid weekly reports of grids in
-- scope for the weeks first_week to last_week: week_start, township_id, grid_id,
-- households_visited.
CREATE OR REPLACE TEMP MACRO grid_weeks_computed(first_week, last_week, township) AS TABLE
    SELECT r.week_start, g.township_id, r.grid_id, r.households_visited
    FROM grid_weekly AS r
    JOIN grids_in_scope(township) AS g ON g.grid_id = r.grid_id
    WHERE r.week_start BETWEEN first_week::DATE AND last_week::DATE
;

-- checkpoint_weeks(first_week, last_week, township) and grid_weeks(first_week, last_week,
-- township): the rows above for the weeks first_week to last_week (Mondays). Here computed
-- from the shifts and reports at each call; on a version published with its weekly tables
-- (queries/_aggregates.sql), queries/_macros_stored.sql replaces these two with reading them:
-- the same rows, from a small table.
CREATE OR REPLACE TEMP MACRO checkpoint_weeks(first_week, last_week, township) AS TABLE
    SELECT *
    FROM checkpoint_weeks_computed(
        first_week, (last_week::DATE - first_week::DATE) // 7 + 1, township)
;
CREATE OR REPLACE TEMP MACRO grid_weeks(first_week, last_week, township) AS TABLE
    SELECT * FROM grid_weeks_computed(first_week, last_week, township)
;

-- Who reported which week (issue 21: unreported is not zero) ----------------------------------

-- counted_grid_townships(first_week, last_week, withheld): the townships whose grid part of a
-- week counts in that week's figures, for the weeks first_week to last_week: week_start,
-- township_id. A township counts a week when any of its grids has a weekly report for it;
-- one that sent none is 未报 (not reported) that week and left out of its rates, not read as
-- grids that visited nobody. `withheld` (VARCHAR[] of township_ids, or NULL) is left out of
-- last_week only: the scope's week, e.g. townships waiting for review.
CREATE OR REPLACE TEMP MACRO counted_grid_townships(first_week, last_week, withheld) AS TABLE
    SELECT DISTINCT week_start, township_id
    FROM grid_weeks(first_week, last_week, NULL)
    WHERE township_id IS NOT NULL
      AND NOT (week_start = last_week::DATE
               AND coalesce(list_contains(withheld::VARCHAR[], township_id), false))
;
-- counted_checkpoint_townships(first_week, last_week, withheld): the same for the checkpoint
-- part: a township counts a week when a shift of one of its checkpoints starts in it (a shift
-- of the week before running past Sunday midnight does not make the next week reported).
CREATE OR REPLACE TEMP MACRO counted_checkpoint_townships(first_week, last_week, withheld) AS TABLE
    SELECT DISTINCT date_trunc('week', s.shift_start)::DATE AS week_start, c.township_id
    FROM checkpoint_shifts AS s
    JOIN checkpoints AS c ON c.checkpoint_id = s.checkpoint_id
    WHERE s.shift_start >= first_week::TIMESTAMP
      AND s.shift_start < last_week::TIMESTAMP + INTERVAL 7 DAY
      AND NOT (date_trunc('week', s.shift_start)::DATE = last_week::DATE
               AND coalesce(list_contains(withheld::VARCHAR[], c.township_id), false))
