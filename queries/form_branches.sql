-- form_branches: the border branches of one township, for the notes of its prefilled weekly form:
-- branch_id, name, village.
-- Parameters: $township (township_id).
WITH final AS (
    SELECT branch_id, name, village
    FROM branches
    WHERE township_id = $township
)

SELECT * FROM final
ORDER BY branch_id
