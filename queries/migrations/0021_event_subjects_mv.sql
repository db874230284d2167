-- event_subjects_mv: one event_subjects row per non-empty visitor_id and
-- user_id of every row inserted into events.
CREATE MATERIALIZED VIEW IF NOT EXISTS {{.DB}}.event_subjects_mv {{.OnCluster}}
TO {{.DB}}.event_subjects
AS SELECT site_id, subject, ts, event_id
FROM {{.DB}}.events
ARRAY JOIN arrayFilter(x -> x != '', [visitor_id, user_id]) AS subject
