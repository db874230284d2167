-- erasure_receipts: one row per completed erasure: who asked, when, which
-- subject (as a keyed hash), how many rows each table held, and whether a
-- recount after the mutations found none left.
CREATE TABLE IF NOT EXISTS {{.DB}}.erasure_receipts {{.OnCluster}} (
    request_id   String,
    site_id      {{lc}},
    kind         {{lc}},
    key_hash     String,
    requested_by String,
    requested_at DateTime,
    finished_at  DateTime,
    tables       Array(String),
    rows         Array(UInt64),
    verified     UInt8
) ENGINE = {{.Engine "MergeTree"}}
ORDER BY (site_id, requested_at, request_id)
