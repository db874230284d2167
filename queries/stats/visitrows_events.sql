-- visitrows_events: each visit that started in [from, to), from events in
-- [wfrom, wto) (visit_events.sql): its visitor (s_vkey, s_vhash), start
-- and end, and with Items its pageviews (0, path) and custom events
-- (1, name) in time order (steps of one second by kind, then name: the
-- order a funnel reads them must not depend on how the events were read;
-- windowFunnel keeps the order of equal times as given). retention.sql and funnel.sql read these rows;
-- visitrows_visits.sql gives the same from the visits rollup.
-- Parameters: site, from, to, wfrom, wto (Unix seconds), tz, f<i>.
SELECT s_vkey, s_vhash, v_start, v_end{{if .Items}}, items{{end}}
FROM
(
    SELECT
{{.VisitAttrs}},
        v_vkey AS s_vkey,
        v_vhash AS s_vhash
{{- if .Items}},
        arraySort(x -> (tupleElement(x, 1), tupleElement(x, 2), tupleElement(x, 3)),
            groupArrayIf((e_ts, toUInt8(e_type = 'event'), if(e_type = 'event', e_name, e_path)), e_type IN ('pageview', 'event'))) AS items
{{- end}}
    FROM
    (
{{.VisitEvents}}
    )
    GROUP BY actor, vn
    HAVING {{.Started}}{{if .VisitFilter}} AND {{.VisitFilter}}{{end}}
)
