-- event_subjects: which events carry a subject key (a visitor ID or a user
-- ID, as stored), so that a subject's events are found through the
-- primary key of events, (site_id, toDate(ts), event_id), instead of a
-- scan of the whole site. Filled by event_subjects_mv from every insert
-- into events (0021) and from the events already there (0022); erasure and
-- retention delete from it as from events. A row may repeat (a replayed
-- insert); readers use it as a set.
CREATE TABLE IF NOT EXISTS {{.DB}}.event_subjects {{.OnCluster}} (
    site_id  {{lc}},
    subject  String,
    ts       DateTime,
    event_id UUID
) ENGINE = {{.Engine "ReplacingMergeTree"}}
PARTITION BY toYYYYMM(ts)
ORDER BY (site_id, subject, toDate(ts), event_id)
