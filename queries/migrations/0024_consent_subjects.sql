-- consent_subjects: which consent_log rows carry a subject key (a visitor
-- ID or a user ID), so that a subject's consent history is found through
-- the primary key of consent_log, (site_id, consent_id, ts), instead of a
-- scan of the site's ledger. Filled by consent_subjects_mv (0025) and from
-- the ledger already there (0026); erasure deletes the subject's rows,
-- retention keeps it as long as the ledger. Readers use it as a set.
CREATE TABLE IF NOT EXISTS {{.DB}}.consent_subjects {{.OnCluster}} (
    site_id    {{lc}},
    subject    String,
    ts         DateTime,
    consent_id String
) ENGINE = {{.Engine "ReplacingMergeTree"}}
PARTITION BY toYYYYMM(ts)
ORDER BY (site_id, subject, consent_id)
