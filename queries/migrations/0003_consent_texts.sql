-- consent_texts: the banner configuration of every policy revision, keyed
-- by the hash of the exact texts and recipients, so a ledger row's
-- texts_hash resolves to what the visitor was shown.
CREATE TABLE IF NOT EXISTS {{.DB}}.consent_texts {{.OnCluster}} (
    site_id     {{lc}},
    texts_hash  String,
    revision    UInt32,
    config_json String,
    first_seen  DateTime
) ENGINE = {{.Engine "ReplacingMergeTree"}}
ORDER BY (site_id, texts_hash)
