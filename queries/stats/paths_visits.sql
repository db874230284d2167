-- paths_visits: each visit of the visits rollup that started in
-- [from, min(to, split)) with its pageview paths in order.
-- Parameters: site, from, to, rfrom (a UTC midnight), split (Unix seconds), f<i>.
SELECT visit, pages AS paths
FROM {{.DB}}.visits
WHERE site_id = @site
  AND day >= toDate(toDateTime(@rfrom), 'UTC') AND day < toDate(toDateTime(@split), 'UTC')
  AND version IN (SELECT max(version) FROM {{.DB}}.visits_days
      WHERE site_id = @site AND day >= toDate(toDateTime(@rfrom), 'UTC') AND day < toDate(toDateTime(@split), 'UTC') GROUP BY day)
  AND start >= toDateTime(@from) AND start < toDateTime(@to)
{{- range .Filters}}
  AND {{.}}
{{- end}}
