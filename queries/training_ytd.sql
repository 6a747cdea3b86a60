-- training_ytd: trainings in scope held from 1 January of $week's year to the end of the week
-- starting $week, one row per kind held: kind, sessions, attendees (person-times). County-level
-- trainings (township_id NULL) count only county-wide.
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for the whole county).
WITH activities AS (
    SELECT kind, sessions, attendees
    FROM trainings_ytd($week, $township)
),

final AS (
    SELECT
        kind,
        sum(sessions)::BIGINT AS sessions,
        sum(attendees)::BIGINT AS attendees
    FROM activities
    GROUP BY kind
)

SELECT * FROM final
ORDER BY kind
