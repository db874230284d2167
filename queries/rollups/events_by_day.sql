-- events_by_day: per site and UTC day from since on, the events the visits
-- rollup is built from (bots excluded): their number and an
-- order-independent checksum of their IDs. A day whose figures differ from
-- its newest build (visits_built.sql) has changed: late events, erasure,
-- retention. Parameters: since (Unix seconds, a UTC midnight).
SELECT
    site_id,
    toString(toDate(ts, 'UTC')) AS day,
    countIf(is_bot = 0) AS events,
    groupBitXorIf(sipHash64(reinterpretAsString(event_id)), is_bot = 0) AS checksum
FROM {{.DB}}.events
WHERE ts >= toDateTime(@since)
GROUP BY site_id, day
