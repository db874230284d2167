-- Backfill of consent_subjects from the ledger rows stored before 0025.
INSERT INTO {{.DB}}.consent_subjects (site_id, subject, ts, consent_id)
SELECT site_id, subject, ts, consent_id
FROM {{.DB}}.consent_log
ARRAY JOIN arrayFilter(x -> x != '', [visitor_id, user_id]) AS subject
