-- visits_build: one build of the visits rollup (migration 0027) for a site
-- and a UTC day [wfrom, wto), under version: every visit of the day's
-- events, grouped by the engine's own visit SQL (visit_events.sql). Each
-- visit is first split by page (pageviews and engagement of one path,
-- which become its page_* slices) and by custom event name; its
-- attributes are those of its first event, its user_id any it carried;
-- its pageviews and custom events are kept in time order (ties broken by
-- the event ID, as in visit_events.sql).
-- Parameters: site, day (YYYY-MM-DD), wfrom, wto (Unix seconds), version.
INSERT INTO {{.DB}}.visits (site_id, day, version, visit, vkey, visitor_id, user_id, visitor_hash, start, end,
    pageviews, events, engaged_ms, scroll_sum, scroll_n, rev_keys, rev_amounts, entry_page, exit_page, pages, page_ts,
    page_paths, page_views, page_engaged, page_scroll_sum, page_scroll_n,
    event_ts, event_list, event_prop_keys, event_prop_values, event_currency, event_revenue
{{- range .VisitCols}}{{if ne .Name "user_id"}}, {{.Name}}{{end}}{{end}})
SELECT
    @site, toDate(@day), toUInt64(@version), cityHash64(actor, vn), if(v_vid = '', toUInt64(0), cityHash64(v_vid)),
    v_vid, v_uid, v_vhash, v_start, v_end, toUInt32(v_pageviews), toUInt32(v_events), v_engaged, v_scroll_sum,
    toUInt32(v_scroll_n), tupleElement(v_rev, 1), tupleElement(v_rev, 2), v_entry, v_exit,
    arrayMap(x -> tupleElement(x, 3), v_pvs), arrayMap(x -> tupleElement(x, 1), v_pvs),
    v_page_paths, v_page_views, v_page_engaged, v_page_scroll_sum, v_page_scroll_n,
    arrayMap(x -> tupleElement(x, 1), v_evs), arrayMap(x -> tupleElement(x, 3), v_evs),
    arrayMap(x -> tupleElement(x, 4), v_evs), arrayMap(x -> tupleElement(x, 5), v_evs),
    arrayMap(x -> tupleElement(x, 6), v_evs), arrayMap(x -> tupleElement(x, 7), v_evs)
{{- range .VisitCols}}{{if ne .Name "user_id"}}, v_{{.Name}}{{end}}{{end}}
FROM
(
    SELECT
        actor,
        vn,
        any(g_vid) AS v_vid,
        max(g_user_id) AS v_uid,
        any(g_vhash) AS v_vhash,
        min(g_start) AS v_start,
        max(g_end) AS v_end,
        sum(g_pv) AS v_pageviews,
        sum(g_ev) AS v_events,
        sum(g_engaged) AS v_engaged,
        sum(g_scroll_sum) AS v_scroll_sum,
        sum(g_scroll_n) AS v_scroll_n,
        sumMap(g_rev_keys, g_rev_amounts) AS v_rev,
        argMinIf(g_path, g_pv_first, g_pv > 0) AS v_entry,
        argMaxIf(g_path, g_pv_last, g_pv > 0) AS v_exit,
        arraySort(x -> (tupleElement(x, 1), tupleElement(x, 2)), groupArrayArray(g_pvs)) AS v_pvs,
        arraySort(x -> (tupleElement(x, 1), tupleElement(x, 2)), groupArrayArray(g_evs)) AS v_evs,
        groupArrayIf(g_path, NOT g_is_ev) AS v_page_paths,
        groupArrayIf(toUInt32(g_pv), NOT g_is_ev) AS v_page_views,
        groupArrayIf(g_engaged, NOT g_is_ev) AS v_page_engaged,
        groupArrayIf(g_scroll_sum, NOT g_is_ev) AS v_page_scroll_sum,
        groupArrayIf(toUInt32(g_scroll_n), NOT g_is_ev) AS v_page_scroll_n
{{- range .VisitCols}}{{if ne .Name "user_id"}},
        argMin(g_{{.Name}}, g_first) AS v_{{.Name}}{{end}}{{end}}
    FROM
    (
        SELECT
            actor,
            vn,
            e_type = 'event' AS g_is_ev,
            if(g_is_ev, e_name, e_path) AS g_key,
            any(e_path) AS g_path,
            any(e_vid) AS g_vid,
            any(e_vhash) AS g_vhash,
            min(e_ts) AS g_start,
            max(e_ts) AS g_end,
            countIf(e_type = 'pageview') AS g_pv,
            countIf(e_type = 'event') AS g_ev,
            min((e_ts, e_id)) AS g_first,
            minIf((e_ts, e_id), e_type = 'pageview') AS g_pv_first,
            maxIf((e_ts, e_id), e_type = 'pageview') AS g_pv_last,
            sum(e_engaged_ms) AS g_engaged,
            sumIf(e_scroll, e_type = 'engagement' AND e_scroll > 0) AS g_scroll_sum,
            countIf(e_type = 'engagement' AND e_scroll > 0) AS g_scroll_n,
            sumMapIf([reinterpretAsUInt64(e_currency)], [e_revenue], e_is_revenue) AS g_rev,
            tupleElement(g_rev, 1) AS g_rev_keys,
            tupleElement(g_rev, 2) AS g_rev_amounts,
            groupArrayIf((e_ts, e_id, e_path), e_type = 'pageview') AS g_pvs,
            groupArrayIf((e_ts, e_id, e_name, e_prop_keys, e_prop_values, if(e_is_revenue, reinterpretAsUInt64(e_currency), toUInt64(0)),
                if(e_is_revenue, e_revenue, 0)), e_type = 'event') AS g_evs
{{- range .VisitCols}},
            {{if eq .Name "user_id"}}max{{else}}argMin{{end}}(c_{{.Name}}{{if ne .Name "user_id"}}, (e_ts, e_id){{end}}) AS g_{{.Name}}
{{- end}}
        FROM
        (
{{.VisitEvents}}
        )
        GROUP BY actor, vn, g_is_ev, g_key
    )
    GROUP BY actor, vn
)
