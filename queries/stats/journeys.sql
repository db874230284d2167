-- journeys: the pages visitors saw just before and just after a page,
-- within a visit (visit_events.sql): "(entrance)" when the page opened the
-- visit, "(exit)" when it closed it.
-- Parameters: site, from, to, wfrom, wto (Unix seconds), tz, page, limit,
-- f<i>. visits_journeys.sql answers the same from the visits rollup.
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
{{.VisitAttrs}},
            arrayMap(x -> tupleElement(x, 2), arraySort(x -> tupleElement(x, 1), groupArrayIf((e_ts, e_path), e_type = 'pageview'))) AS paths
        FROM
        (
{{.VisitEvents}}
        )
        GROUP BY actor, vn
        HAVING {{.Started}}{{if .VisitFilter}} AND {{.VisitFilter}}{{end}}
    )
    ARRAY JOIN arrayEnumerate(paths) AS i
    WHERE paths[i] = @page
)
GROUP BY direction, page
ORDER BY direction DESC, transitions DESC, page
LIMIT @limit BY direction
