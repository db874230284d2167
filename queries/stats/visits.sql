-- visits: one row per visit of one site in [from, to), bots excluded, with
-- the visit's attributes and its events. The base of every visit report
-- (breakdown.sql, journeys.sql); the engine (collector/stats) composes it.
-- A visit is a consented session (session_id), or for traffic without a
-- session ID the events of one visitor (visitor_id, else the anonymous
-- daily visitor_hash) with no gap over 30 minutes. docs/METRICS.md.
-- Parameters: site, from, to (Unix seconds), tz.
-- e = (ts, type, url_path, url_host, name, prop_keys, prop_values,
--      engaged_ms, scroll_depth, visit-level columns...)
SELECT
    actor,
    vn,
    any(vid) AS v_vid,
    any(vhash) AS v_vhash,
    min(tupleElement(e, 1)) AS v_start,
    max(tupleElement(e, 1)) AS v_end,
    countIf(tupleElement(e, 2) = 'pageview') AS v_pageviews,
    countIf(tupleElement(e, 2) = 'event') AS v_events,
    argMinIf(tupleElement(e, 3), tupleElement(e, 1), tupleElement(e, 2) = 'pageview') AS v_entry_page,
    argMaxIf(tupleElement(e, 3), tupleElement(e, 1), tupleElement(e, 2) = 'pageview') AS v_exit_page,
{{- range .VisitCols}}
    argMin(tupleElement(e, {{.Index}}), tupleElement(e, 1)) AS v_{{.Name}},
{{- end}}
    groupArray(e) AS v_evs
FROM
(
    SELECT
        actor,
        any(visitor_id) AS vid,
        any(visitor_hash) AS vhash,
        any(session_id != '') AS keyed,
        arraySort(x -> tupleElement(x, 1), groupArray((ts, type, url_path, url_host, name, prop_keys, prop_values, engaged_ms, scroll_depth
{{- range .VisitCols}}, {{.Column}}{{end}}))) AS evs,
        arrayCumSum(arrayMap(i -> (i = 1) OR ((NOT keyed) AND (tupleElement(evs[i], 1) - tupleElement(evs[i - 1], 1) > 1800)), arrayEnumerate(evs))) AS vns
    FROM {{.DB}}.events
    WHERE site_id = @site AND is_bot = 0
      AND ts >= toDateTime(@from) AND ts < toDateTime(@to)
    GROUP BY if(session_id != '', concat('s:', session_id), if(visitor_id != '', concat('v:', visitor_id), concat('h:', toString(visitor_hash)))) AS actor
)
ARRAY JOIN evs AS e, vns AS vn
GROUP BY actor, vn
{{- if .VisitFilter}}
HAVING {{.VisitFilter}}
{{- end}}
