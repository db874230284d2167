-- realtime: visitors and top pages in the last 30 minutes of the data.
SELECT url_path, uniq(if(visitor_id != '', visitor_id, toString(visitor_hash))) AS visitors, count() AS pageviews
FROM {db}.events
WHERE site_id = '{site}' AND is_bot = 0 AND type = 'pageview'
  AND ts >= toDateTime({to}) - 1800 AND ts < toDateTime({to}) AND country = 'JP'
GROUP BY url_path
ORDER BY visitors DESC
LIMIT 10
