-- funnel: windowFunnel over product → cart → checkout → purchase per visitor.
SELECT level, count() AS visitors
FROM
(
    SELECT
        if(visitor_id != '', visitor_id, concat(toString(toDate(ts, '{tz}')), ':', toString(visitor_hash))) AS visitor,
        windowFunnel(3600)(ts, url_path LIKE '/products/%', url_path = '/cart', url_path = '/checkout', name = 'purchase') AS level
    FROM {db}.events
    WHERE site_id = '{site}' AND is_bot = 0 AND ts >= toDateTime({from}) AND ts < toDateTime({to})
      AND device_type = 'desktop'
    GROUP BY visitor
)
GROUP BY level
ORDER BY level
