-- daily_stats: per-site daily aggregates, without any identifier, written
-- by the retention job before raw events are deleted, so that older data
-- survives only as these counts.
CREATE TABLE IF NOT EXISTS {{.DB}}.daily_stats {{.OnCluster}} (
    site_id     {{lc}},
    day         Date,
    pageviews   UInt64,
    events      UInt64,
    visitors    UInt64,
    computed_at DateTime
) ENGINE = {{.Engine "ReplacingMergeTree" "computed_at"}}
ORDER BY (site_id, day)
