-- visit_events: one row per event of one site in [wfrom, wto), bots left
-- out, with its visit: (actor, vn). The base of every visit report
-- (breakdown.sql, journeys.sql) and of the visits rollup's build
-- (queries/rollups/visits_build.sql); the engine (collector/stats)
-- composes it. A visit is a consented session (session_id), or for
-- traffic without a session ID the events of one visitor (visitor_id,
-- else the anonymous daily visitor_hash) with no gap over 30 minutes; a
-- visit ends at midnight UTC, when the anonymous hash's salt changes too:
-- the UTC day is part of the actor. vn numbers an actor's visits from its
-- sorted timestamps (docs/METRICS.md). e_id (the event ID's bytes) breaks
-- ties between hits of one second wherever an order is taken (a visit's
-- first hit, entry and exit page, the order of its pages), so that every
-- query, and the rollup, picks the same one. The actor is a 64-bit hash of its
-- key: the join on it is a join on numbers. [wfrom, wto) is whole UTC days
-- (a report keeps the visits that started in its range) or, for realtime,
-- the range itself.
-- Parameters: site, wfrom, wto (Unix seconds).
SELECT
    actor,
    vns[indexOf(tss, e_ts)] AS vn,
    e_ts, e_id, e_type, e_path, e_host, e_name, e_prop_keys, e_prop_values, e_engaged_ms, e_scroll, e_vid, e_vhash,
{{- range .VisitCols}}
    c_{{.Name}},
{{- end}}
    upper(e_prop_values[indexOf(e_prop_keys, 'currency')]) AS e_currency,
    toFloat64OrZero(e_prop_values[indexOf(e_prop_keys, 'revenue')]) AS e_revenue,
    e_type = 'event' AND has(e_prop_keys, 'revenue') AND match(e_currency, '^[A-Z]{3}$') AS e_is_revenue,
    {{.Conversion}} AS e_conv
FROM
(
    SELECT
        cityHash64(toDate(ts, 'UTC'), if(session_id != '', cityHash64('s', session_id), if(visitor_id != '', cityHash64('v', visitor_id), cityHash64('h', visitor_hash)))) AS actor,
        ts AS e_ts, reinterpretAsString(event_id) AS e_id, type AS e_type, url_path AS e_path, url_host AS e_host, name AS e_name,
        prop_keys AS e_prop_keys, prop_values AS e_prop_values, engaged_ms AS e_engaged_ms, scroll_depth AS e_scroll,
{{- range .VisitCols}}
        {{.Column}} AS c_{{.Name}},
{{- end}}
        visitor_id AS e_vid, visitor_hash AS e_vhash
    FROM {{.DB}}.events
    WHERE site_id = @site AND is_bot = 0
      AND ts >= toDateTime(@wfrom) AND ts < toDateTime(@wto)
) AS ev
ANY LEFT JOIN
(
    SELECT
        cityHash64(toDate(ts, 'UTC'), if(session_id != '', cityHash64('s', session_id), if(visitor_id != '', cityHash64('v', visitor_id), cityHash64('h', visitor_hash)))) AS actor,
        any(session_id != '') AS keyed,
        arraySort(groupArray(ts)) AS tss,
        arrayCumSum(arrayMap((t, prev, i) -> (i = 1) OR ((NOT keyed) AND (t - prev > 1800)),
            tss, arrayPushFront(arrayPopBack(tss), toDateTime(0)), arrayEnumerate(tss))) AS vns
    FROM {{.DB}}.events
    WHERE site_id = @site AND is_bot = 0
      AND ts >= toDateTime(@wfrom) AND ts < toDateTime(@wto)
    GROUP BY actor
) AS visits USING actor
