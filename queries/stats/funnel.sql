-- funnel: how far visitors get through ordered steps within a window
-- (windowFunnel): one row per level reached. A visitor is a visitor ID
-- (consented) or the daily hash on the day a visit started (anonymous),
-- as in the visitors metric; their steps are the pageviews (0, path) and
-- custom events (1, name) of their visits that started in the range, in
-- time order, of which only those that match a step are read. The visits
-- come from events (visitrows_events.sql) and/or the rollup
-- (visitrows_visits.sql).
-- Parameters: site, from, to, wfrom, split, wto, rfrom (Unix seconds), tz,
-- window (seconds), s<i> (the steps), f<i> (filters on visit attributes).
SELECT
    level,
    count() AS visitors
FROM
(
    SELECT
        if(s_vkey != 0, s_vkey, {{.AnonKey}}) AS visitor,
        windowFunnel(@window)(tupleElement(it, 1){{range .Steps}}, {{.}}{{end}}) AS level
    FROM
    (
{{.Visits}}
    )
    ARRAY JOIN arrayFilter(x -> {{.Match}}, items) AS it
    GROUP BY visitor
)
GROUP BY level
ORDER BY level
