-- training_activities: trainings in scope held from 1 January of $week's year to the end of the
-- week starting $week, one row per activity, newest first: activity_id, held_on, township_id (NULL
-- = county-level), kind, title, sessions, attendees (person-times), attendance_records (rows of
-- training_attendance for the activity; 0 where none were loaded). County-level trainings
-- (township_id NULL) count only county-wide.
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for the whole county).
WITH activities AS (
    SELECT activity_id, held_on, township_id, kind, title, sessions, attendees
    FROM trainings_ytd($week, $township)
),

attendance AS (
    SELECT activity_id, count(*) AS attendance_records
    FROM training_attendance
    WHERE activity_id IN (SELECT activity_id FROM activities)
    GROUP BY activity_id
),

final AS (
    SELECT
        t.*,
        coalesce(a.attendance_records, 0)::BIGINT AS attendance_records
    FROM activities AS t
    LEFT JOIN attendance AS a ON a.activity_id = t.activity_id
)

SELECT * FROM final
ORDER BY held_on DESC, activity_id DESC
