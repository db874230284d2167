-- visits_built: the newest build of the visits rollup per site and UTC day
-- from since on (visits_days): its version and the event figures it was
-- made from. Parameters: since (Unix seconds, a UTC midnight).
SELECT
    site_id,
    toString(day) AS built_day,
    max(version) AS built_version,
    argMax(events, version) AS built_events,
    argMax(checksum, version) AS built_checksum
FROM {{.DB}}.visits_days
WHERE day >= toDate(toDateTime(@since), 'UTC')
GROUP BY site_id, built_day
