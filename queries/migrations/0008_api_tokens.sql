-- api_tokens: admin API tokens. Only the SHA-256 of a token is stored;
-- revoking writes a newer version with revoked_at set.
CREATE TABLE IF NOT EXISTS {{.DB}}.api_tokens {{.OnCluster}} (
    id         String,
    name       String,
    hash       String,
    scopes     Array(String),
    created_at DateTime,
    revoked_at DateTime,
    version    UInt64
) ENGINE = {{.Engine "ReplacingMergeTree" "version"}}
ORDER BY id
