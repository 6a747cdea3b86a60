-- first_assessment_week: the Monday of the week of the first branch assessment in the store, as
-- week_start (DATE; NULL when no branch has been assessed). County-wide, so that every township's
-- compliance series starts on the same week.
-- Parameters: none.
WITH final AS (
    SELECT date_trunc('week', min(assessed_on))::DATE AS week_start
    FROM branch_assessments
)

SELECT * FROM final
