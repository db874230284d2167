-- visits_built: the newest build of the visits rollup per site and UTC day
-- (visits_days): its version and the event figures it was made from.
-- Parameters: none.
SELECT
    site_id,
    toString(day) AS day,
    max(version) AS built_version,
    argMax(events, version) AS built_events,
    argMax(checksum, version) AS built_checksum
FROM {{.DB}}.visits_days
GROUP BY site_id, day
