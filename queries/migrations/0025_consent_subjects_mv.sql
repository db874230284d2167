-- consent_subjects_mv: one consent_subjects row per non-empty visitor_id
-- and user_id of every row inserted into consent_log.
CREATE MATERIALIZED VIEW IF NOT EXISTS {{.DB}}.consent_subjects_mv {{.OnCluster}}
TO {{.DB}}.consent_subjects
AS SELECT site_id, subject, ts, consent_id
FROM {{.DB}}.consent_log
ARRAY JOIN arrayFilter(x -> x != '', [visitor_id, user_id]) AS subject
