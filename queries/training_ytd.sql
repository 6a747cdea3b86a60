-- Trainings in scope held from 1 January of $week's year to the end of the week starting $week,
-- one row per kind held: kind, sessions, attendees (person-times).
-- County-level trainings (township_id NULL) count only county-wide.
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for the whole county).
WITH trainings_ytd AS (
    SELECT kind, sessions, attendees
    FROM trainings
    WHERE held_on >= date_trunc('year', $week::DATE)::DATE
      AND held_on < $week::DATE + 7
      AND ($township IS NULL OR township_id = $township)
),

final AS (
    SELECT
        kind,
        sum(sessions)::BIGINT AS sessions,
        sum(attendees)::BIGINT AS attendees
    FROM trainings_ytd
    GROUP BY kind
)

SELECT * FROM final
ORDER BY kind
