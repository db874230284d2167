-- journeys: the pages visitors saw just before and just after a page,
-- within a visit (visits.sql): "(entrance)" when the page opened the
-- visit, "(exit)" when it closed it.
-- Parameters: site, from, to (Unix seconds), tz, page, limit, f<i>.
SELECT
    tupleElement(step, 1) AS direction,
    tupleElement(step, 2) AS page,
    count() AS transitions,
    uniqExact(actor, vn) AS visits
FROM
(
    SELECT
        actor,
        vn,
        arrayJoin([('previous', if(i = 1, '(entrance)', paths[i - 1])), ('next', if(i = length(paths), '(exit)', paths[i + 1]))]) AS step
    FROM
    (
        SELECT
            actor,
            vn,
            arrayMap(x -> tupleElement(x, 3), arrayFilter(x -> tupleElement(x, 2) = 'pageview', arraySort(x -> tupleElement(x, 1), v_evs))) AS paths
        FROM
        (
{{.Visits}}
        )
    )
    ARRAY JOIN arrayEnumerate(paths) AS i
    WHERE paths[i] = @page
)
GROUP BY direction, page
ORDER BY direction DESC, transitions DESC, page
LIMIT @limit BY direction
