-- training_by_kind_month: trainings in scope held from 1 January of $week's year to the end of the
-- week starting $week, one row per month and kind held: month (DATE, the 1st), kind, sessions,
-- attendees.
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for the whole county).
WITH activities AS (
    SELECT date_trunc('month', held_on)::DATE AS month, kind, sessions, attendees
    FROM trainings_ytd($week, $township)
),

final AS (
    SELECT
        month,
        kind,
        sum(sessions)::BIGINT AS sessions,
        sum(attendees)::BIGINT AS attendees
    FROM activities
    GROUP BY month, kind
)

SELECT * FROM final
ORDER BY month, kind
