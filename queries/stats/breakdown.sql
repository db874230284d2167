-- breakdown: the metrics of one site's visits, broken down by one
-- dimension (or none: the totals), with filters. The engine
-- (collector/stats) fills in whitelisted expressions only: the dimension,
-- the filters, the metrics (formulas in docs/METRICS.md); every value is a
-- bound parameter. Each inner row is a slice: the events of one visit that
-- share the dimension's value.
-- Parameters: site, from, to (Unix seconds), tz, limit, and one per filter.
SELECT
    dim
{{- range .Metrics}},
    {{.Expr}} AS {{.Name}}
{{- end}}
FROM
(
    SELECT
        {{.Dim}} AS dim,
        any(v_vid) AS s_vid,
        any(v_vhash) AS s_vhash,
        min(e_ts) AS s_start,
        any(v_start) AS v_start,
        any(v_end) AS v_end,
        any(v_pageviews) AS v_pageviews,
        any(v_events) AS v_events,
        countIf(e_type = 'pageview') AS s_pageviews,
        countIf(e_type = 'event') AS s_events,
        countIf(e_conv) AS s_conversions,
        sum(e_engaged_ms) AS s_engaged_ms,
        sumIf(e_scroll, e_type = 'engagement' AND e_scroll > 0) AS s_scroll_sum,
        countIf(e_type = 'engagement' AND e_scroll > 0) AS s_scroll_n,
        sumMapIf([reinterpretAsUInt64(e_currency)], [e_revenue], e_is_revenue) AS s_revenue,
        tupleElement(s_revenue, 1) AS s_rev_keys,
        tupleElement(s_revenue, 2) AS s_rev_amounts
    FROM
    (
        SELECT
            actor, vn, v_vid, v_vhash, v_start, v_end, v_pageviews, v_events, v_entry_page, v_exit_page,
{{- range .VisitCols}} v_{{.Name}},{{end}}
            tupleElement(e, 1) AS e_ts,
            tupleElement(e, 2) AS e_type,
            tupleElement(e, 3) AS e_path,
            tupleElement(e, 4) AS e_host,
            tupleElement(e, 5) AS e_name,
            tupleElement(e, 6) AS e_prop_keys,
            tupleElement(e, 7) AS e_prop_values,
            tupleElement(e, 8) AS e_engaged_ms,
            tupleElement(e, 9) AS e_scroll,
            upper(e_prop_values[indexOf(e_prop_keys, 'currency')]) AS e_currency,
            toFloat64OrZero(e_prop_values[indexOf(e_prop_keys, 'revenue')]) AS e_revenue,
            e_type = 'event' AND has(e_prop_keys, 'revenue') AND match(e_currency, '^[A-Z]{3}$') AS e_is_revenue,
            {{.Conversion}} AS e_conv
        FROM
        (
{{.Visits}}
        )
        ARRAY JOIN v_evs AS e
    )
    WHERE {{.EventFilter}}
    GROUP BY dim, actor, vn
)
GROUP BY dim
ORDER BY {{.OrderBy}}
{{- if .Limit}}
LIMIT @limit
{{- end}}
