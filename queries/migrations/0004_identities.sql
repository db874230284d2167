-- identities: links between a first-party visitor ID and an authenticated
-- user ID, made only when the visitor's consent grants the user-ID join.
-- A row with unlinked = 1 records that the link was removed (withdrawal);
-- the latest row per (site_id, visitor_id, user_id) wins.
CREATE TABLE IF NOT EXISTS {{.DB}}.identities {{.OnCluster}} (
    site_id     {{lc}},
    visitor_id  String,
    user_id     String,
    consent_id  String,
    traits_keys   Array(String),
    traits_values Array(String),
    first_seen  DateTime,
    last_seen   DateTime,
    unlinked    UInt8
) ENGINE = {{.Engine "ReplacingMergeTree" "last_seen"}}
ORDER BY (site_id, visitor_id, user_id)
