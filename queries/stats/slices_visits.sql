-- slices_visits: the slices of breakdown.sql from the visits rollup
-- (migrations 0027, 0028): one row per visit that started in
-- [from, min(to, split)), per (page, visit) from its page_* slices, or
-- per (value, visit) of its custom events in order (event_list and their
-- properties) that pass the event filters; the newest build of each UTC
-- day. PerEvent: one row per custom event instead of per (value, visit),
-- when no metric counts visits or reads their slices (visitors, events,
-- conversions, revenue are the same either way, for less work).
-- The same columns and types as slices_events.sql.
-- Page slices join only the page arrays the metrics read (Views,
-- Engaged, Scroll); the others are 0.
-- Where: rollup_where.sql. Parameters: site, from, to, rfrom (a UTC
-- midnight), split (Unix seconds), tz, f<i>.
{{- if eq .Slice "event"}}
SELECT
{{- if .PerEvent}}
    dim, s_vkey, s_vhash, v_start, v_end, v_pageviews, v_events, toUInt64(0) AS s_pageviews, toUInt64(1) AS s_events,
    toUInt64(1) AS s_conversions, toUInt64(0) AS s_engaged_ms, toUInt64(0) AS s_scroll_sum, toUInt64(0) AS s_scroll_n,
    if(e_cur != 0, [e_cur], CAST([] AS Array(UInt64))) AS s_rev_keys,
    if(e_cur != 0, [e_rev], CAST([] AS Array(Float64))) AS s_rev_amounts
{{- else}}
    dim, any(s_vkey) AS s_vkey, any(s_vhash) AS s_vhash, any(v_start) AS v_start, any(v_end) AS v_end,
    any(v_pageviews) AS v_pageviews, any(v_events) AS v_events, toUInt64(0) AS s_pageviews, count() AS s_events,
    count() AS s_conversions, toUInt64(0) AS s_engaged_ms, toUInt64(0) AS s_scroll_sum, toUInt64(0) AS s_scroll_n,
    tupleElement(sumMapIf([e_cur], [e_rev], e_cur != 0), 1) AS s_rev_keys,
    tupleElement(sumMapIf([e_cur], [e_rev], e_cur != 0), 2) AS s_rev_amounts
{{- end}}
FROM
(
    SELECT
        toString({{.Dim}}) AS dim, visit, vkey AS s_vkey, visitor_hash AS s_vhash, start AS v_start, end AS v_end,
        toUInt64(pageviews) AS v_pageviews, toUInt64(events) AS v_events, 'event' AS e_type, '' AS e_path, 1 AS e_conv, e_cur, e_rev
    FROM {{.DB}}.visits
    ARRAY JOIN event_list AS e_name{{if .Props}}, event_prop_keys AS e_prop_keys, event_prop_values AS e_prop_values{{end}}, event_currency AS e_cur, event_revenue AS e_rev
{{.Where}}
      AND events > 0 AND {{.EventFilter}}
)
{{- if not .PerEvent}}
GROUP BY dim, visit
{{- end}}
{{- else}}
SELECT
    toString({{.Dim}}) AS dim,
    vkey AS s_vkey,
    visitor_hash AS s_vhash,
    start AS v_start,
    end AS v_end,
    toUInt64(pageviews) AS v_pageviews,
    toUInt64(events) AS v_events,
{{- if eq .Slice "page"}}
    {{if .Views}}toUInt64(p_views){{else}}toUInt64(0){{end}} AS s_pageviews,
    toUInt64(0) AS s_events,
    toUInt64(0) AS s_conversions,
    {{if .Engaged}}p_engaged{{else}}toUInt64(0){{end}} AS s_engaged_ms,
    {{if .Scroll}}p_scroll_sum{{else}}toUInt64(0){{end}} AS s_scroll_sum,
    {{if .Scroll}}toUInt64(p_scroll_n){{else}}toUInt64(0){{end}} AS s_scroll_n,
    CAST([] AS Array(UInt64)) AS s_rev_keys,
    CAST([] AS Array(Float64)) AS s_rev_amounts
{{- else}}
    toUInt64(pageviews) AS s_pageviews,
    toUInt64(events) AS s_events,
    toUInt64(events) AS s_conversions,
    engaged_ms AS s_engaged_ms,
    scroll_sum AS s_scroll_sum,
    toUInt64(scroll_n) AS s_scroll_n,
    rev_keys AS s_rev_keys,
    rev_amounts AS s_rev_amounts
{{- end}}
FROM {{.DB}}.visits
{{- if eq .Slice "page"}}
ARRAY JOIN page_paths AS page{{if .Views}}, page_views AS p_views{{end}}{{if .Engaged}}, page_engaged AS p_engaged{{end}}{{if .Scroll}}, page_scroll_sum AS p_scroll_sum, page_scroll_n AS p_scroll_n{{end}}
{{- end}}
{{.Where}}
{{- end}}
