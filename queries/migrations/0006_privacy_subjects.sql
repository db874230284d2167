-- privacy_subjects: the privacy state of a data subject (a visitor ID or a
-- user ID of a site): "stopped" (stop of use: data kept, excluded from
-- profiling and audiences), "active" (resumed) or "erased" (suppressed:
-- whatever still arrives for the subject is dropped). key_hash is a keyed
-- hash of the subject key; subject holds the key itself only while the
-- subject's data exists (stop of use), never for an erased subject. The
-- row with the highest version wins.
CREATE TABLE IF NOT EXISTS {{.DB}}.privacy_subjects {{.OnCluster}} (
    site_id    {{lc}},
    kind       {{lc}},
    key_hash   String,
    subject    String,
    state      {{lc}},
    ts         DateTime,
    request_id String,
    version    UInt64
) ENGINE = {{.Engine "ReplacingMergeTree" "version"}}
ORDER BY (site_id, kind, key_hash)
