-- audit_log: every admin action (API or CLI), allowed or refused. subject
-- is a keyed hash, never the visitor or user ID itself.
CREATE TABLE IF NOT EXISTS {{.DB}}.audit_log {{.OnCluster}} (
    ts       DateTime,
    actor    String,
    action   {{lc}},
    method   {{lc}},
    path     String,
    site_id  {{lc}},
    subject  String,
    detail   String,
    status   UInt16
) ENGINE = {{.Engine "MergeTree"}}
PARTITION BY toYYYYMM(ts)
ORDER BY (ts, actor)
