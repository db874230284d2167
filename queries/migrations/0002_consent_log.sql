-- consent_log: the consent ledger. Append-only, one row per decision or
-- withdrawal; refusals are kept as long as acceptances.
CREATE TABLE IF NOT EXISTS {{.DB}}.consent_log {{.OnCluster}} (
    consent_id  String,
    site_id     {{lc}},
    ts          DateTime,
    visitor_id  String,
    user_id     String,
    granted     Array(String),
    denied      Array(String),
    revision    UInt32,
    texts_hash  String,
    method      {{lc}},
    lang        {{lc}},
    gpc         UInt8,
    ua_family   {{lc}},
    expires_at  DateTime
) ENGINE = {{.Engine "MergeTree"}}
PARTITION BY toYYYYMM(ts)
ORDER BY (site_id, consent_id, ts)
