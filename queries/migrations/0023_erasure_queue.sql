-- erasure_queue: erasures whose subject is suppressed but whose rows are
-- not deleted yet. The collector deletes the rows of every queued subject
-- together, one mutation per table per batch, writes each receipt and then
-- deletes the queued row (which holds the subject's keys until then), so a
-- restart loses no erasure.
CREATE TABLE IF NOT EXISTS {{.DB}}.erasure_queue {{.OnCluster}} (
    request_id   String,
    site_id      {{lc}},
    kind         {{lc}},
    subject_key  String,
    visitors     Array(String),
    users        Array(String),
    requested_by String,
    requested_at DateTime
) ENGINE = {{.Engine "MergeTree"}}
ORDER BY (requested_at, request_id)
