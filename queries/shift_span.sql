-- shift_span: the weeks the checkpoint shifts cover, one row: first_week (the Monday of the
-- first shift's start), weeks (from it to the week of the last shift's end); first_week NULL
-- and weeks 0 when there are no shifts. For the weekly tables of queries/_aggregates.sql.
-- Parameters: none.
WITH span AS (
    SELECT
        date_trunc('week', min(shift_start))::DATE AS first_week,
        date_trunc('week', max(shift_end))::DATE AS last_week
    FROM checkpoint_shifts
),

final AS (
    SELECT first_week, coalesce((last_week - first_week) // 7 + 1, 0)::INTEGER AS weeks
    FROM span
)

SELECT * FROM final
