-- overview from the visits rollup (0040): one row per visit.
SELECT
    uniqExact(if(visitor_id != '', sipHash64(visitor_id), sipHash64(toDate(start, '{tz}'), visitor_hash))) AS visitors,
    count() AS visits,
    sum(pageviews) AS total_pageviews,
    round(avg(pageviews), 2) AS views_per_visit,
    round(100 * avg(pageviews = 1 AND events = 0), 1) AS bounce_rate,
    round(avg(end - start)) AS visit_duration,
    sum(events) AS total_events
FROM {db}.visits
    WHERE site_id = '{site}' AND day >= toDate(toDateTime({from}), 'UTC') AND day <= toDate(toDateTime({to}), 'UTC')
      AND start >= toDateTime({from}) AND start < toDateTime({to})
      AND version IN (SELECT max(version) FROM {db}.visits_days WHERE site_id = '{site}' GROUP BY day)
      AND country = 'JP'
