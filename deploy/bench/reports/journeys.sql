-- journeys: the previous and next pages of /cart within sessions.
SELECT tupleElement(step, 1) AS direction, tupleElement(step, 2) AS page, count() AS transitions
FROM
(
    SELECT arrayJoin([('previous', if(i = 1, '(entrance)', paths[i - 1])), ('next', if(i = length(paths), '(exit)', paths[i + 1]))]) AS step
    FROM
    (
        SELECT arrayMap(x -> tupleElement(x, 2), arraySort(x -> tupleElement(x, 1), groupArray((ts, url_path)))) AS paths
        FROM {db}.events
        WHERE site_id = '{site}' AND is_bot = 0 AND type = 'pageview'
          AND ts >= toDateTime({from}) AND ts < toDateTime({to}) AND country = 'JP'
        GROUP BY if(session_id != '', session_id, concat(toString(visitor_hash), toString(toDate(ts, '{tz}'))))
    )
    ARRAY JOIN arrayEnumerate(paths) AS i
    WHERE paths[i] = '/cart'
)
GROUP BY direction, page
ORDER BY direction DESC, transitions DESC
LIMIT 5 BY direction
