-- pages from the visits rollup (0040): visitors, visits and pageviews per
-- page from the visits' page sequences.
SELECT page, uniqExact(if(visitor_id != '', sipHash64(visitor_id), sipHash64(toDate(start, '{tz}'), visitor_hash))) AS visitors, uniqExact(actor, vn) AS visits, count() AS total_pageviews
FROM {db}.visits
ARRAY JOIN pages AS page
    WHERE site_id = '{site}' AND day >= toDate(toDateTime({from}), 'UTC') AND day <= toDate(toDateTime({to}), 'UTC')
      AND start >= toDateTime({from}) AND start < toDateTime({to})
      AND version IN (SELECT max(version) FROM {db}.visits_days WHERE site_id = '{site}' GROUP BY day)
      AND country = 'JP'
GROUP BY page
ORDER BY visitors DESC
LIMIT 10
