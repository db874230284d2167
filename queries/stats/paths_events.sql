-- paths_events: each visit that started in [from, to) with its pageview
-- paths in order, from events in [wfrom, wto) (visit_events.sql).
-- Parameters: site, from, to, wfrom, wto (Unix seconds), tz, f<i>.
SELECT visit, paths
FROM
(
    SELECT
{{.VisitAttrs}},
        cityHash64(actor, vn) AS visit,
        arrayMap(x -> tupleElement(x, 3), arraySort(x -> (tupleElement(x, 1), tupleElement(x, 2)), groupArrayIf((e_ts, e_id, e_path), e_type = 'pageview'))) AS paths
    FROM
    (
{{.VisitEvents}}
    )
    GROUP BY actor, vn
    HAVING {{.Started}}{{if .VisitFilter}} AND {{.VisitFilter}}{{end}}
)
