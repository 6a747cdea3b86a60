-- townships: all townships: township_id, name, name_en, lon, lat, is_border.
-- Parameters: none.
WITH final AS (
    SELECT township_id, name, name_en, lon, lat, is_border
    FROM townships
)

SELECT * FROM final
ORDER BY township_id
