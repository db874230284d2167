-- Backfill of event_subjects from the events stored before 0021. Rows that
-- the view wrote meanwhile repeat, which a set does not mind; a rerun only
-- repeats rows again.
INSERT INTO {{.DB}}.event_subjects (site_id, subject, ts, event_id)
SELECT site_id, subject, ts, event_id
FROM {{.DB}}.events
ARRAY JOIN arrayFilter(x -> x != '', [visitor_id, user_id]) AS subject
