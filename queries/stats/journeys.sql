-- journeys: the pages visitors saw just before and just after a page,
-- within a visit: "(entrance)" when the page opened the visit, "(exit)"
-- when it closed it. Each visit's pageview paths in order come from
-- events (paths_events.sql) or the visits rollup (paths_visits.sql), or
-- both (the rollup's fresh days before split, events after it).
-- Parameters: site, from, to, wfrom, split, wto (Unix seconds), tz, page,
-- limit, f<i>.
SELECT
    tupleElement(step, 1) AS direction,
    tupleElement(step, 2) AS page,
    count() AS transitions,
    uniqExact(visit) AS visits
FROM
(
    SELECT
        visit,
        arrayJoin([('previous', if(i = 1, '(entrance)', paths[i - 1])), ('next', if(i = length(paths), '(exit)', paths[i + 1]))]) AS step
    FROM
    (
{{.Paths}}
    )
    ARRAY JOIN arrayEnumerate(paths) AS i
    WHERE paths[i] = @page
)
GROUP BY direction, page
ORDER BY direction DESC, transitions DESC, page
LIMIT @limit BY direction
