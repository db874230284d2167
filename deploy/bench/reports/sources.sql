-- sources: a breakdown by referrer source with a filter (the visit's
-- first hit only: the session-level source).
SELECT
    referrer_source,
    uniq(if(visitor_id != '', visitor_id, toString(visitor_hash))) AS visitors,
    count() AS visits
FROM {db}.events
WHERE site_id = '{site}' AND is_bot = 0 AND ts >= toDateTime({from}) AND ts < toDateTime({to})
  AND type = 'pageview' AND referrer_source != 'internal' AND browser = 'Chrome'
GROUP BY referrer_source
ORDER BY visitors DESC
LIMIT 10
