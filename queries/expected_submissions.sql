-- expected_submissions: what each township in scope is expected to send for the week starting
-- $week and what it has sent: township_id, grids (how many grids it has), checkpoints (how
-- many checkpoints), grids_in (any of its grids has a weekly report for the week),
-- checkpoints_in (a shift of one of its checkpoints starts in the week). A township is
-- expected to send grid reports when it has grids, shifts when it has checkpoints.
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for every township).
WITH towns AS (
    SELECT township_id
    FROM townships
    WHERE $township IS NULL OR township_id = $township
),

grid_counts AS (
    SELECT township_id, count(*) AS grids
    FROM grids_in_scope($township)
    GROUP BY township_id
),

checkpoint_counts AS (
    SELECT township_id, count(*) AS checkpoints
    FROM checkpoints_in_scope($township)
    GROUP BY township_id
),

grids_sent AS (
    SELECT township_id FROM counted_grid_townships($week, $week, NULL)
),

shifts_sent AS (
    SELECT township_id FROM counted_checkpoint_townships($week, $week, NULL)
),

final AS (
    SELECT
        t.township_id,
        coalesce(g.grids, 0)::BIGINT AS grids,
        coalesce(k.checkpoints, 0)::BIGINT AS checkpoints,
        t.township_id IN (SELECT township_id FROM grids_sent) AS grids_in,
        t.township_id IN (SELECT township_id FROM shifts_sent) AS checkpoints_in
    FROM towns AS t
    LEFT JOIN grid_counts AS g ON g.township_id = t.township_id
    LEFT JOIN checkpoint_counts AS k ON k.township_id = t.township_id
)

SELECT * FROM final
ORDER BY township_id
