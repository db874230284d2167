-- slices_events: the slices of breakdown.sql from events: one row per
-- (dimension value, visit) of the visits that started in [from, to), read
-- from the events in [wfrom, wto) (whole UTC days: visit_events.sql).
-- Parameters: site, from, to, wfrom, wto (Unix seconds), tz, f<i>.
-- Its columns (and their types: slices_visits.sql casts to them) are the
-- slice columns the metrics read.
SELECT
    dim, s_vkey, s_vhash, v_start, v_end, v_pageviews, v_events, s_pageviews, s_events, s_conversions,
    s_engaged_ms, s_scroll_sum, s_scroll_n, s_rev_keys, s_rev_amounts
FROM
(
{{- if .EventDim}}
    SELECT
        tupleElement(x, 1) AS dim,
        any(v_vkey) AS s_vkey,
        any(v_vhash) AS s_vhash,
        any(v_start) AS v_start,
        any(v_end) AS v_end,
        any(v_pageviews) AS v_pageviews,
        any(v_events) AS v_events,
        countIf(tupleElement(x, 3) = 'pageview') AS s_pageviews,
        countIf(tupleElement(x, 3) = 'event') AS s_events,
        countIf(tupleElement(x, 4)) AS s_conversions,
        sum(tupleElement(x, 5)) AS s_engaged_ms,
        sumIf(tupleElement(x, 6), tupleElement(x, 3) = 'engagement' AND tupleElement(x, 6) > 0) AS s_scroll_sum,
        countIf(tupleElement(x, 3) = 'engagement' AND tupleElement(x, 6) > 0) AS s_scroll_n,
        sumMapIf([tupleElement(x, 7)], [tupleElement(x, 8)], tupleElement(x, 9)) AS s_revenue,
        tupleElement(s_revenue, 1) AS s_rev_keys,
        tupleElement(s_revenue, 2) AS s_rev_amounts
    FROM
    (
        SELECT
{{.VisitAttrs}},
            groupArrayIf(({{.Dim}}, e_ts, e_type, e_conv, e_engaged_ms, e_scroll, reinterpretAsUInt64(e_currency), e_revenue, e_is_revenue),
                {{.EventFilter}}) AS s_evs
        FROM
        (
{{.VisitEvents}}
        )
        GROUP BY actor, vn
        HAVING {{.Started}}{{if .VisitFilter}} AND {{.VisitFilter}}{{end}}
    )
    ARRAY JOIN s_evs AS x
    GROUP BY dim, actor, vn
{{- else}}
    SELECT
        {{.Dim}} AS dim,
{{.VisitAttrs}},
        v_vkey AS s_vkey,
        v_vhash AS s_vhash,
        countIf({{.EventFilter}}) AS s_matched,
        countIf(e_type = 'pageview' AND {{.EventFilter}}) AS s_pageviews,
        countIf(e_type = 'event' AND {{.EventFilter}}) AS s_events,
        countIf(e_conv AND {{.EventFilter}}) AS s_conversions,
        sumIf(e_engaged_ms, {{.EventFilter}}) AS s_engaged_ms,
        sumIf(e_scroll, e_type = 'engagement' AND e_scroll > 0 AND {{.EventFilter}}) AS s_scroll_sum,
        countIf(e_type = 'engagement' AND e_scroll > 0 AND {{.EventFilter}}) AS s_scroll_n,
        sumMapIf([reinterpretAsUInt64(e_currency)], [e_revenue], e_is_revenue AND {{.EventFilter}}) AS s_revenue,
        tupleElement(s_revenue, 1) AS s_rev_keys,
        tupleElement(s_revenue, 2) AS s_rev_amounts
    FROM
    (
{{.VisitEvents}}
    )
    GROUP BY actor, vn
    HAVING s_matched > 0 AND {{.Started}}{{if .VisitFilter}} AND {{.VisitFilter}}{{end}}
{{- end}}
)
