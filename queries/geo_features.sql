-- geo_features: the GeoJSON outlines of one layer ('townships' or 'grids'),
-- feature_id and geometry (GeoJSON geometry as text).
-- Parameters: $layer (VARCHAR).
WITH final AS (
    SELECT feature_id, geometry
    FROM geo_features
    WHERE layer = $layer
)

SELECT * FROM final
ORDER BY feature_id
