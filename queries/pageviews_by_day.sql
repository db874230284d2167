-- pageviews_by_day: pageviews and unique visitors per day for one site, in
-- the site's time zone, bots excluded. Unique visitors count the consented
-- visitor ID where there is one and the anonymous daily hash otherwise.
-- Parameters: site, from, to (DateTime), tz (time zone name).
SELECT
    toDate(ts, @tz) AS day,
    count() AS pageviews,
    uniq(if(visitor_id != '', cityHash64(visitor_id), visitor_hash)) AS visitors
FROM {{.DB}}.events
WHERE site_id = @site AND type = 'pageview' AND is_bot = 0
  AND ts >= @from AND ts < @to
GROUP BY day
ORDER BY day
