-- consent: consent decisions and the opt-in rate per purpose (granted /
-- (granted + denied)), optionally by method, policy revision or day in the
-- time zone. Reads the ledger (consent_log), no subject key. Each
-- decision is counted once per purpose it grants or denies: the inner
-- query sums those per purpose with sumMap over the purposes' 64-bit
-- hashes (18.16's sumMap takes numeric keys; no row per purpose), the
-- outer one turns the sums into one row per purpose.
-- Parameters: site, from, to (Unix seconds), tz.
SELECT
    dim,
    purpose,
    granted_count + denied_count AS decisions,
    tupleElement(g, 2)[indexOf(tupleElement(g, 1), cityHash64(purpose))] AS granted_count,
    tupleElement(d, 2)[indexOf(tupleElement(d, 1), cityHash64(purpose))] AS denied_count,
    100 * granted_count / (granted_count + denied_count) AS opt_in_rate
FROM
(
    SELECT
        {{.Dim}} AS dim,
        groupUniqArrayArray(arrayConcat(granted, denied)) AS purposes,
        sumMap(arrayMap(x -> cityHash64(x), granted), arrayMap(x -> toUInt64(1), granted)) AS g,
        sumMap(arrayMap(x -> cityHash64(x), denied), arrayMap(x -> toUInt64(1), denied)) AS d
    FROM {{.DB}}.consent_log
    WHERE site_id = @site AND ts >= toDateTime(@from) AND ts < toDateTime(@to)
    GROUP BY dim
)
ARRAY JOIN purposes AS purpose
ORDER BY dim, purpose
