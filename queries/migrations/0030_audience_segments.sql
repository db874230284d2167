-- audience_segments: segments created through the CLI (`ashiato audience
-- create`) or the admin API; segments of the config file are not stored.
-- The row with the highest version (nanoseconds since 1970) per (site_id,
-- name) is the segment; deleted = 1 removes it.
CREATE TABLE IF NOT EXISTS {{.DB}}.audience_segments {{.OnCluster}} (
    site_id     {{lc}},
    name        String,
    rule        String,
    description String,
    created_by  String,
    created_at  DateTime,
    deleted     UInt8,
    version     UInt64
) ENGINE = {{.Engine "ReplacingMergeTree" "version"}}
ORDER BY (site_id, name)
