-- visits_days: what each build of the visits rollup was made from, per
-- (site, UTC day): the number of events and an order-independent checksum
-- of their IDs. A day whose events no longer match (a late event, an
-- erasure, retention) is rebuilt; readers take the newest version per day.
CREATE TABLE IF NOT EXISTS {{.DB}}.visits_days {{.OnCluster}} (
    site_id  {{lc}},
    day      Date,
    version  UInt64,
    events   UInt64,
    checksum UInt64,
    built_at DateTime
) ENGINE = {{.Engine "ReplacingMergeTree" "version"}}
PARTITION BY toYYYYMM(day)
ORDER BY (site_id, day)
