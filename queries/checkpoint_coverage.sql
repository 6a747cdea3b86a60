-- Checkpoint duty per week, for the $weeks weeks ending with the week starting $week:
-- week_start, total (checkpoints in scope), staffed_slots (of total x 168 hour slots a week),
-- staff_hours (staff x hours of each shift inside the week), party_hours (the staff_party part),
-- persons_checked (of shifts starting in the week).
-- Parameters: $week (DATE, a Monday), $weeks (INT >= 1),
--             $township (township_id, or NULL for the whole county).
WITH weeks AS (
    SELECT i AS week_index, $week::DATE - 7 * ($weeks::INTEGER - 1 - i::INTEGER) AS week_start
    FROM range($weeks) AS t(i)
),

checkpoints_in_scope AS (
    SELECT checkpoint_id, row_number() OVER (ORDER BY checkpoint_id) AS k, required_staff
    FROM checkpoints
    WHERE $township IS NULL OR township_id = $township
),

-- Shifts overlapping the weeks, with start and end in microseconds from the first week's start.
-- A shift lasts at most 24 h, so the last condition drops nothing: it lets DuckDB skip row groups.
shifts_in_weeks AS (
    SELECT
        c.k,
        c.required_staff,
        staff_party,
        staff_party + staff_unit + staff_volunteer AS staff,
        persons_checked,
        epoch_us(shift_start - ($week::DATE - 7 * ($weeks::INTEGER - 1))::TIMESTAMP) AS start_us,
        epoch_us(shift_end - ($week::DATE - 7 * ($weeks::INTEGER - 1))::TIMESTAMP) AS end_us
    FROM checkpoint_shifts AS s
    JOIN checkpoints_in_scope AS c ON c.checkpoint_id = s.checkpoint_id
    WHERE shift_start < $week::TIMESTAMP + INTERVAL 7 DAY
      AND shift_end > ($week::DATE - 7 * ($weeks::INTEGER - 1))::TIMESTAMP
      AND shift_start > ($week::DATE - 7 * ($weeks::INTEGER - 1))::TIMESTAMP - INTERVAL 1 DAY
),

-- The part of each shift inside the week it starts in and the next one (a shift lasts at most
-- 24 h); a week is 604800000000 microseconds.
shift_parts AS (
    SELECT
        s.*,
        floor(s.start_us / 604800000000)::BIGINT + p.next AS week_index
    FROM shifts_in_weeks AS s
    CROSS JOIN (VALUES (0), (1)) AS p(next)
),

duty_per_week AS (
    SELECT
        week_index,
        sum(staff * us_in_week) / 3.6e9 AS staff_hours,
        sum(staff_party * us_in_week) / 3.6e9 AS party_hours,
        sum(persons_checked) FILTER (WHERE start_us >= week_index * 604800000000) AS persons_checked
    FROM (
        SELECT
            *,
            least(end_us, (week_index + 1) * 604800000000)
                - greatest(start_us, week_index * 604800000000) AS us_in_week
        FROM shift_parts
        WHERE week_index BETWEEN 0 AND $weeks::INTEGER - 1
    )
    WHERE us_in_week > 0
    GROUP BY week_index
),

-- A shift staffs hour slot [h, h+1) only if it covers the whole hour (shift_start <= h and
-- shift_end >= h+1): slots ceil(start) up to floor(end) - 1, in hours from the first week's
-- start. A shift from 08:30 does not staff slot 08:00.
covered_slots AS (
    SELECT
        k,
        required_staff,
        staff,
        greatest(ceil(start_us / 3.6e9), 0)::BIGINT AS first_slot,
        least(floor(end_us / 3.6e9), 168 * $weeks::INTEGER)::BIGINT AS end_slot
    FROM shifts_in_weeks
),

-- Overlapping shifts add up: the staff on duty changes by +staff at a shift's first slot and
-- by -staff at its end slot; the running sum gives the staff from one change to the next.
-- A change of 0 at each week boundary cuts the runs into weeks.
staff_changes AS (
    SELECT k, required_staff, first_slot AS slot, staff AS change
    FROM covered_slots WHERE first_slot < end_slot
    UNION ALL
    SELECT k, required_staff, end_slot AS slot, -staff AS change
    FROM covered_slots WHERE first_slot < end_slot
    UNION ALL
    SELECT c.k, c.required_staff, 168 * w.week_index AS slot, 0 AS change
    FROM checkpoints_in_scope AS c
    CROSS JOIN weeks AS w
    WHERE w.week_index > 0
),

-- A checkpoint's changes add up to 0, so one running sum over all checkpoints in order gives
-- each checkpoint's own staff (one sort: much cheaper than a window per checkpoint).
staff_runs AS (
    SELECT
        required_staff,
        slot AS run_start,
        CASE WHEN lead(k) OVER by_slot = k THEN lead(slot) OVER by_slot END AS run_end,
        sum(change) OVER (by_slot ROWS UNBOUNDED PRECEDING) AS staff
    FROM staff_changes
    WINDOW by_slot AS (ORDER BY k, slot)
),

staffed_per_week AS (
    SELECT run_start // 168 AS week_index, sum(run_end - run_start) AS staffed_slots
    FROM staff_runs
    WHERE run_end > run_start AND staff >= required_staff
    GROUP BY week_index
),

final AS (
    SELECT
        w.week_start,
        (SELECT count(*) FROM checkpoints_in_scope) AS total,
        coalesce(s.staffed_slots, 0)::BIGINT AS staffed_slots,
        coalesce(d.staff_hours, 0) AS staff_hours,
        coalesce(d.party_hours, 0) AS party_hours,
        coalesce(d.persons_checked, 0)::BIGINT AS persons_checked
    FROM weeks AS w
    LEFT JOIN staffed_per_week AS s ON s.week_index = w.week_index
    LEFT JOIN duty_per_week AS d ON d.week_index = w.week_index
)

SELECT * FROM final
ORDER BY week_start
