-- checkpoint_status: hour slots of the week starting $week per checkpoint in scope, counted by
-- state: checkpoint_id, staffed_slots (staff >= required_staff), short_slots (some staff, fewer
-- than required), empty_slots (nobody on duty). The slots are those of checkpoint_hourly.sql
-- (the same hour-slot chain, counted per week in checkpoint_weeks): each checkpoint's three
-- counts add up to 168. reported: the checkpoint's township sent its shifts for the week (and
-- is not withheld); where not, the counts are those of the rows stored and the pages show 未报.
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for the whole county),
--             $withheld (VARCHAR[] of township_ids left out, or NULL).
WITH week_rows AS (
    FROM checkpoint_weeks($week, $week, $township)
),

final AS (
    SELECT
        c.checkpoint_id,
        coalesce(w.staffed_slots, 0)::BIGINT AS staffed_slots,
        coalesce(w.short_slots, 0)::BIGINT AS short_slots,
        (hours_per_week() - coalesce(w.staffed_slots, 0) - coalesce(w.short_slots, 0))::BIGINT
            AS empty_slots,
        c.township_id IN (
            SELECT township_id FROM counted_checkpoint_townships($week, $week, $withheld)
        ) AS reported
    FROM checkpoints_in_scope($township) AS c
    LEFT JOIN week_rows AS w ON w.checkpoint_id = c.checkpoint_id
)

SELECT * FROM final
ORDER BY checkpoint_id
