-- checkpoint_places: checkpoints in scope, for the map: checkpoint_id, name, township_id,
-- community_id, kind, required_staff, lon, lat.
-- Parameters: $township (township_id, or NULL for the whole county).
WITH final AS (
    SELECT checkpoint_id, name, township_id, community_id, kind, required_staff, lon, lat
    FROM checkpoints_in_scope($township)
)

SELECT * FROM final
ORDER BY township_id, checkpoint_id
