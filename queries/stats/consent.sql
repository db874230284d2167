-- consent: consent decisions and the opt-in rate per purpose (granted /
-- (granted + denied)), optionally by method, policy revision or day in the
-- time zone. Reads the ledger (consent_log), no subject key.
-- Parameters: site, from, to (Unix seconds), tz.
SELECT
    {{.Dim}} AS dim,
    purpose,
    uniqExact(consent_id) AS decisions,
    countIf(has(granted, purpose)) AS granted_count,
    countIf(has(denied, purpose)) AS denied_count,
    100 * granted_count / (granted_count + denied_count) AS opt_in_rate
FROM {{.DB}}.consent_log
ARRAY JOIN arrayConcat(granted, denied) AS purpose
WHERE site_id = @site AND ts >= toDateTime(@from) AND ts < toDateTime(@to)
GROUP BY dim, purpose
ORDER BY dim, purpose
