-- checkpoint_gaps: staffing gaps in the week starting $week, one row per run of consecutive
-- unstaffed hour slots of a checkpoint in scope: checkpoint_id, name, township_id, kind,
-- gap_start, gap_end (exclusive), hours, shortfall (the largest required_staff - staff over the
-- run; required_staff when nobody). Only checkpoints of townships whose checkpoint part of the
-- week counts: a township that sent no shift for the week is 未报, not a week of gaps.
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for the whole county),
--             $withheld (VARCHAR[] of township_ids left out, or NULL).
WITH unstaffed_slots AS (
    SELECT k, required_staff - staff AS shortfall, unnest(range(run_start, run_end)) AS slot
    FROM checkpoint_staff_runs($week, 1, $township)
    WHERE staff < required_staff
),

-- Consecutive slots of a checkpoint share slot - row_number(), which tells one gap from the next.
gaps AS (
    SELECT k, min(slot) AS first_slot, max(slot) + 1 AS end_slot, max(shortfall) AS shortfall
    FROM (
        SELECT k, slot, shortfall, slot - row_number() OVER (ORDER BY k, slot) AS gap
        FROM unstaffed_slots
    )
    GROUP BY k, gap
),

final AS (
    SELECT
        c.checkpoint_id,
        c.name,
        c.township_id,
        c.kind,
        $week::TIMESTAMP + to_hours(g.first_slot) AS gap_start,
        $week::TIMESTAMP + to_hours(g.end_slot) AS gap_end,
        g.end_slot - g.first_slot AS hours,
        g.shortfall::BIGINT AS shortfall
    FROM gaps AS g
    JOIN checkpoints_in_scope($township) AS c ON c.k = g.k
    SEMI JOIN counted_checkpoint_townships($week, $week, $withheld) AS r
        ON r.township_id = c.township_id
)

SELECT * FROM final
ORDER BY township_id, checkpoint_id, gap_start
