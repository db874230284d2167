-- entry_pages: the first page of each visit via argMin per session (and per
-- anonymous hash and day), then a breakdown, with a filter.
SELECT entry, count() AS visits, uniq(actor) AS visitors
FROM
(
    SELECT
        if(session_id != '', session_id, concat(toString(visitor_hash), toString(toDate(ts, '{tz}')))) AS actor,
        argMin(url_path, ts) AS entry,
        argMax(url_path, ts) AS exit
    FROM {db}.events
    WHERE site_id = '{site}' AND is_bot = 0 AND type = 'pageview'
      AND ts >= toDateTime({from}) AND ts < toDateTime({to}) AND country = 'JP'
    GROUP BY actor
)
GROUP BY entry
ORDER BY visits DESC
LIMIT 10
