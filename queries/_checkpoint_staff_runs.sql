-- Shared CTEs (included by checkpoint_hourly, checkpoint_gaps, checkpoint_status with the line
-- `-- include: _checkpoint_staff_runs`): the checkpoints in scope, numbered k, and their staff on
-- duty in the week starting $week as runs of hour slots: staff_runs(k, run_start, run_end, staff),
-- covering slots 0..168 of every checkpoint (run_end NULL on each checkpoint's last change).
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for the whole county).
WITH checkpoints_in_scope AS (
    SELECT checkpoint_id, row_number() OVER (ORDER BY checkpoint_id) AS k, name, township_id, kind, required_staff
    FROM checkpoints
    WHERE $township IS NULL OR township_id = $township
),

-- A shift lasts at most 24 h, so the last condition drops nothing: it lets DuckDB skip row groups.
shifts_in_week AS (
    SELECT
        c.k,
        staff_party + staff_unit + staff_volunteer AS staff,
        epoch_us(shift_start - $week::TIMESTAMP) AS start_us,
        epoch_us(shift_end - $week::TIMESTAMP) AS end_us
    FROM checkpoint_shifts AS s
    JOIN checkpoints_in_scope AS c ON c.checkpoint_id = s.checkpoint_id
    WHERE shift_start < $week::TIMESTAMP + INTERVAL 7 DAY
      AND shift_end > $week::TIMESTAMP
      AND shift_start > $week::TIMESTAMP - INTERVAL 1 DAY
),

-- A shift staffs hour slot [h, h+1) only if it covers the whole hour (shift_start <= h and
-- shift_end >= h+1): slots ceil(start) up to floor(end) - 1, in hours from the week's start.
-- A shift from 08:30 does not staff slot 08:00. Same rule as checkpoint_coverage.sql.
covered_slots AS (
    SELECT
        k,
        staff,
        greatest(ceil(start_us / 3.6e9), 0)::BIGINT AS first_slot,
        least(floor(end_us / 3.6e9), 168)::BIGINT AS end_slot
    FROM shifts_in_week
),

-- Overlapping shifts add up: the staff on duty changes by +staff at a shift's first slot and
-- by -staff at its end slot; the running sum gives the staff from one change to the next.
-- A change of 0 at slots 0 and 168 of every checkpoint makes the runs cover the whole week.
staff_changes AS (
    SELECT k, first_slot AS slot, staff AS change FROM covered_slots WHERE first_slot < end_slot
    UNION ALL
    SELECT k, end_slot, -staff FROM covered_slots WHERE first_slot < end_slot
    UNION ALL
    SELECT k, 0, 0 FROM checkpoints_in_scope
    UNION ALL
    SELECT k, 168, 0 FROM checkpoints_in_scope
),

-- A checkpoint's changes add up to 0, so one running sum over all checkpoints in order gives
-- each checkpoint's own staff (one sort: much cheaper than a window per checkpoint).
staff_runs AS (
    SELECT
        k,
        slot AS run_start,
        CASE WHEN lead(k) OVER by_slot = k THEN lead(slot) OVER by_slot END AS run_end,
        sum(change) OVER (by_slot ROWS UNBOUNDED PRECEDING) AS staff
    FROM staff_changes
    WINDOW by_slot AS (ORDER BY k, slot)
)
