-- consent: opt-in rate per purpose from the ledger, by method.
SELECT method, purpose, uniqExact(consent_id) AS decisions,
    countIf(has(granted, purpose)) AS granted_count, countIf(has(denied, purpose)) AS denied_count
FROM {db}.consent_log
ARRAY JOIN arrayConcat(granted, denied) AS purpose
WHERE site_id = '{site}' AND ts >= toDateTime({from}) AND ts < toDateTime({to}) AND lang LIKE 'ja%'
GROUP BY method, purpose
ORDER BY method, purpose
