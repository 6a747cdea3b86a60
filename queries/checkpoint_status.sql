-- Hour slots of the week starting $week per checkpoint in scope, counted by state:
-- checkpoint_id, staffed_slots (staff >= required_staff), short_slots (some staff, fewer than
-- required), empty_slots (nobody on duty). The slots are those of checkpoint_hourly.sql (the
-- same runs), counted without unnesting them: each checkpoint's three counts add up to 168.
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for the whole county).
-- include: _checkpoint_staff_runs
,

final AS (
    SELECT
        c.checkpoint_id,
        coalesce(sum(r.run_end - r.run_start) FILTER (WHERE r.staff >= c.required_staff), 0)::BIGINT
            AS staffed_slots,
        coalesce(sum(r.run_end - r.run_start) FILTER (WHERE r.staff > 0 AND r.staff < c.required_staff), 0)::BIGINT
            AS short_slots,
        coalesce(sum(r.run_end - r.run_start) FILTER (WHERE r.staff = 0), 0)::BIGINT
            AS empty_slots
    FROM checkpoints_in_scope AS c
    LEFT JOIN staff_runs AS r ON r.k = c.k AND r.run_end > r.run_start
    GROUP BY c.checkpoint_id
)

SELECT * FROM final
ORDER BY checkpoint_id
