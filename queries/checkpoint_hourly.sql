-- checkpoint_hourly: one row per checkpoint in scope and hour slot of the week starting $week
-- (168 per checkpoint): checkpoint_id, name, township_id, kind, slot (0..167), slot_start,
-- required_staff, staff (of the shifts covering the whole slot), staffed (staff >=
-- required_staff).
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for the whole county),
--             $checkpoints (VARCHAR[]: only these checkpoint_ids; NULL for all in scope).
WITH slot_staff AS (
    SELECT
        checkpoint_id, name, township_id, kind, required_staff, staff,
        unnest(range(run_start, run_end)) AS slot
    FROM checkpoint_staff_runs($week, 1, $township)
    WHERE $checkpoints::VARCHAR[] IS NULL OR list_contains($checkpoints::VARCHAR[], checkpoint_id)
),

final AS (
    SELECT
        checkpoint_id,
        name,
        township_id,
        kind,
        slot,
        $week::TIMESTAMP + to_hours(slot) AS slot_start,
        required_staff,
        staff::BIGINT AS staff,
        staff >= required_staff AS staffed
    FROM slot_staff
)

SELECT * FROM final
ORDER BY township_id, checkpoint_id, slot
