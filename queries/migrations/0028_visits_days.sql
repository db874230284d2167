-- visits_days: what each build of the visits rollup was made from, per
-- (site, UTC day): the number of events (bots excluded) and an
-- order-independent checksum of their IDs. A day whose events no longer
-- match (a late event, an erasure, retention) is rebuilt by the rollup
-- job; until then the stats engine reads that day from events (it compares
-- the counts), and readers take the newest version of each day.
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
