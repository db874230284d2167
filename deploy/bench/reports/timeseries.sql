-- timeseries: pageviews and visitors per day in the time zone, with a filter.
SELECT
    toDate(ts, '{tz}') AS day,
    uniq(if(visitor_id != '', visitor_id, toString(visitor_hash))) AS visitors,
    countIf(type = 'pageview') AS pageviews
FROM {db}.events
WHERE site_id = '{site}' AND is_bot = 0 AND ts >= toDateTime({from}) AND ts < toDateTime({to})
  AND device_type = 'mobile'
GROUP BY day
ORDER BY day
