-- consent_decisions_by_day: consent analytics without identifiers —
-- decisions per day, method, policy revision and purpose, with how many
-- granted and how many denied that purpose. Reads no subject key.
-- Parameters: site, from, to (DateTime), tz (time zone name).
SELECT
    toDate(ts, @tz) AS day,
    method,
    revision,
    purpose,
    countIf(has(granted, purpose)) AS granted_count,
    countIf(has(denied, purpose)) AS denied_count,
    count() AS decisions
FROM {{.DB}}.consent_log
ARRAY JOIN arrayConcat(granted, denied) AS purpose
WHERE site_id = @site AND ts >= @from AND ts < @to
GROUP BY day, method, revision, purpose
ORDER BY day, method, revision, purpose
