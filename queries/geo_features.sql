-- geo_features: the GeoJSON outlines of one layer ('townships' or 'grids'),
-- feature_id and geometry (GeoJSON geometry as text). Parameter: $layer.
SELECT feature_id, geometry
FROM geo_features
WHERE layer = $layer
ORDER BY feature_id
