-- coverage from the visits rollup (0040): consented and anonymous pageviews
-- and visits per day in the time zone.
SELECT
    toDate(start, '{tz}') AS d,
    sumIf(pageviews, visitor_id != '') AS consented_pageviews,
    sumIf(pageviews, visitor_id = '') AS anonymous_pageviews,
    countIf(visitor_id != '') AS consented_visits,
    countIf(visitor_id = '') AS anonymous_visits
FROM {db}.visits
    WHERE site_id = '{site}' AND day >= toDate(toDateTime({from}), 'UTC') AND day <= toDate(toDateTime({to}), 'UTC')
      AND start >= toDateTime({from}) AND start < toDateTime({to})
      AND version IN (SELECT max(version) FROM {db}.visits_days WHERE site_id = '{site}' GROUP BY day)
      AND country = 'JP'
GROUP BY d
ORDER BY d
