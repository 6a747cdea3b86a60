-- training_distinct_members: distinct members who attended trainings in scope held from 1 January
-- of $week's year to the end of the week starting $week, one row: distinct_members (NULL when no
-- attendance is loaded).
-- Parameters: $week (DATE, a Monday), $township (township_id, or NULL for the whole county).
WITH attendance_ytd AS (
    SELECT a.member_id
    FROM training_attendance AS a
    JOIN trainings_ytd($week, $township) AS t ON t.activity_id = a.activity_id
),

final AS (
    SELECT
        CASE WHEN EXISTS (SELECT 1 FROM training_attendance)
             THEN count(DISTINCT member_id)
        END AS distinct_members
    FROM attendance_ytd
)

SELECT * FROM final
