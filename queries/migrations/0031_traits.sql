-- traits: per-user attributes imported with `ashiato traits import` from
-- group companies and partners, only the keys the site's config declares.
-- user_id is as stored (a keyed hash when the site hashes user IDs);
-- visitor_id is always '' (traits belong to a user) and is here so that
-- a subject's export and erasure find the rows like any other table's.
-- The row with the latest imported_at per (site_id, user_id) holds the
-- user's traits; import_id names the file's import in the audit log.
CREATE TABLE IF NOT EXISTS {{.DB}}.traits {{.OnCluster}} (
    site_id       {{lc}},
    user_id       String,
    visitor_id    String,
    keys          Array(String),
    values        Array(String),
    import_id     String,
    imported_at   DateTime
) ENGINE = {{.Engine "ReplacingMergeTree" "imported_at"}}
ORDER BY (site_id, user_id)
