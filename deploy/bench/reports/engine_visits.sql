-- engine_visits: the engine's visit shape (queries/stats/visits.sql) by
-- hand: every event of the range grouped by actor into tuples, split at 30-minute
-- gaps, then one row per visit; here with a breakdown by entry page.
SELECT v_entry_page, count() AS visits, uniq(actor) AS visitors, sum(v_pageviews) AS pageviews
FROM
(
    SELECT actor, vn,
        countIf(tupleElement(e, 2) = 'pageview') AS v_pageviews,
        argMinIf(tupleElement(e, 3), tupleElement(e, 1), tupleElement(e, 2) = 'pageview') AS v_entry_page
    FROM
    (
        SELECT actor,
            any(session_id != '') AS keyed,
            arraySort(x -> tupleElement(x, 1), groupArray((ts, type, url_path, url_host, name, prop_keys, prop_values, engaged_ms, scroll_depth, referrer_source))) AS evs,
            arrayCumSum(arrayMap(i -> (i = 1) OR ((NOT keyed) AND (tupleElement(evs[i], 1) - tupleElement(evs[i - 1], 1) > 1800)), arrayEnumerate(evs))) AS vns
        FROM {db}.events
        WHERE site_id = '{site}' AND is_bot = 0 AND ts >= toDateTime({from}) AND ts < toDateTime({to})
        GROUP BY if(session_id != '', concat('s:', session_id), if(visitor_id != '', concat('v:', visitor_id), concat('h:', toString(visitor_hash)))) AS actor
    )
    ARRAY JOIN evs AS e, vns AS vn
    GROUP BY actor, vn
    HAVING argMin(tupleElement(e, 10), tupleElement(e, 1)) = 'search'
)
GROUP BY v_entry_page
ORDER BY visits DESC
LIMIT 10
