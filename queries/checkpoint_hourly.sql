-- One row per checkpoint in scope and hour slot of the week starting $week (168 per checkpoint):
-- checkpoint_id, name, township_id, kind, slot (0..167), slot_start, required_staff,
-- staff (of the shifts covering the whole slot), staffed (staff >= required_staff).
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for the whole county),
--             $checkpoints (VARCHAR[]: only these checkpoint_ids; NULL for all in scope).
-- include: _checkpoint_staff_runs
,

slot_staff AS (
    SELECT r.k, r.staff, unnest(range(r.run_start, r.run_end)) AS slot
    FROM staff_runs AS r
    JOIN checkpoints_in_scope AS c ON c.k = r.k
    WHERE r.run_end > r.run_start
      AND ($checkpoints::VARCHAR[] IS NULL OR list_contains($checkpoints::VARCHAR[], c.checkpoint_id))
),

final AS (
    SELECT
        c.checkpoint_id,
        c.name,
        c.township_id,
        c.kind,
        s.slot,
        $week::TIMESTAMP + to_hours(s.slot) AS slot_start,
        c.required_staff,
        s.staff::BIGINT AS staff,
        s.staff >= c.required_staff AS staffed
    FROM slot_staff AS s
    JOIN checkpoints_in_scope AS c ON c.k = s.k
)

SELECT * FROM final
ORDER BY township_id, checkpoint_id, slot
