-- geo_features: the GeoJSON outlines of one layer ('townships' or 'grids'),
-- feature_id and geometry (GeoJSON geometry as text) and the layer. The 'townships' layer
-- comes with the county's outline and the national border ('county', 'border' rows, when
-- loaded; after the townships), which every map draws under its data.
-- Parameters: $layer (VARCHAR).
WITH final AS (
    SELECT feature_id, geometry, layer
    FROM geo_features
    WHERE layer = $layer OR ($layer = 'townships' AND layer IN ('county', 'border'))
)

SELECT * FROM final
ORDER BY layer <> $layer, layer, feature_id
