-- consent_revoked: decisions that a later decision superseded although
-- they bound no visitor ID (a grant without analytics: advertising or
-- personalization alone, a refusal), so that the revocation set, keyed by
-- visitor elsewhere, has nothing else to tie them to. One row per
-- superseded consent ID, written when the superseding decision is
-- recorded; read by every collector instance (consent.Supersessions) until
-- the superseded token expires; the retention job keeps it as long as the
-- ledger. Consent IDs only: nothing identifies a visitor here.
CREATE TABLE IF NOT EXISTS {{.DB}}.consent_revoked {{.OnCluster}} (
    site_id    {{lc}},
    consent_id String,
    ts         DateTime, -- when the later decision revoked it
    expires_at DateTime
) ENGINE = {{.Engine "ReplacingMergeTree"}}
PARTITION BY toYYYYMM(ts)
ORDER BY (site_id, consent_id)
