-- audience_segments: segments created through the CLI (`ashiato audience
-- create`) or the admin API; segments of the config file are not stored.
-- The latest row per (site_id, name) is the segment; deleted = 1 removes it.
CREATE TABLE IF NOT EXISTS {{.DB}}.audience_segments {{.OnCluster}} (
    site_id     {{lc}},
    name        String,
    rule        String,
    description String,
    created_by  String,
    created_at  DateTime,
    deleted     UInt8
) ENGINE = {{.Engine "ReplacingMergeTree" "created_at"}}
ORDER BY (site_id, name)
