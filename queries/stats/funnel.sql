-- funnel: how far visitors get through ordered steps within a window
-- (windowFunnel): one row per level reached (0 = not even the first step).
-- A visitor is a visitor ID (consented) or a daily hash on one day
-- (anonymous). Steps are a pageview of a path or a custom event by name.
-- Parameters: site, from, to (Unix seconds), tz, window (seconds), s<i>
-- (the steps), f<i> (filters on visit attributes).
SELECT
    level,
    count() AS visitors
FROM
(
    SELECT
        if(visitor_id != '', visitor_id, concat(toString(toDate(ts, @tz)), ':', toString(visitor_hash))) AS visitor,
        windowFunnel(@window)(ts{{range .Steps}}, {{.}}{{end}}) AS level
    FROM {{.DB}}.events
    WHERE site_id = @site AND is_bot = 0
      AND ts >= toDateTime(@from) AND ts < toDateTime(@to)
{{- range .Filters}}
      AND {{.}}
{{- end}}
    GROUP BY visitor
)
GROUP BY level
ORDER BY level
