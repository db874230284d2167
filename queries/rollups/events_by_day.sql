-- events_by_day: per site and UTC day, the events the visits rollup is
-- built from (bots excluded): their number and an order-independent
-- checksum of their IDs. A day whose figures differ from its last build
-- (visits_days) has changed: late events, erasure, retention.
-- Parameters: none.
SELECT
    site_id,
    toString(toDate(ts, 'UTC')) AS day,
    count() AS events,
    groupBitXor(sipHash64(reinterpretAsString(event_id))) AS checksum
FROM {{.DB}}.events
WHERE is_bot = 0
GROUP BY site_id, day
