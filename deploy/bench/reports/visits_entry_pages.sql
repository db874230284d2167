-- entry_pages from the visits rollup (0040).
SELECT
    entry_page,
    uniqExact(if(visitor_id != '', sipHash64(visitor_id), sipHash64(toDate(start, '{tz}'), visitor_hash))) AS visitors,
    count() AS visits,
    round(100 * avg(pageviews = 1 AND events = 0), 1) AS bounce_rate,
    round(avg(end - start)) AS visit_duration
FROM {db}.visits
    WHERE site_id = '{site}' AND day >= toDate(toDateTime({from}), 'UTC') AND day <= toDate(toDateTime({to}), 'UTC')
      AND start >= toDateTime({from}) AND start < toDateTime({to})
      AND version IN (SELECT max(version) FROM {db}.visits_days WHERE site_id = '{site}' GROUP BY day)
      AND country = 'JP'
GROUP BY entry_page
ORDER BY visitors DESC
LIMIT 10
