-- pages: a breakdown by page path with a filter.
SELECT
    url_path,
    uniq(if(visitor_id != '', visitor_id, toString(visitor_hash))) AS visitors,
    countIf(type = 'pageview') AS pageviews,
    sumIf(engaged_ms, type = 'engagement') AS engaged_ms
FROM {db}.events
WHERE site_id = '{site}' AND is_bot = 0 AND ts >= toDateTime({from}) AND ts < toDateTime({to})
  AND country = 'JP'
GROUP BY url_path
ORDER BY visitors DESC
LIMIT 10
