-- rollup_where: the WHERE of every read of the visits rollup
-- (slices_visits, paths_visits, visitrows_visits): the site's visits that
-- started in [from, to), on the UTC days [rfrom, split) the rollup
-- answers, from the newest build of each day, with the filters on the
-- visit. The engine renders it once and puts it in those statements.
-- Parameters: site, from, to, rfrom (a UTC midnight), split (Unix seconds), f<i>.
WHERE site_id = @site
  AND day >= toDate(toDateTime(@rfrom), 'UTC') AND day < toDate(toDateTime(@split), 'UTC')
  AND version IN (SELECT max(version) FROM {{.DB}}.visits_days
      WHERE site_id = @site AND day >= toDate(toDateTime(@rfrom), 'UTC') AND day < toDate(toDateTime(@split), 'UTC') GROUP BY day)
  AND start >= toDateTime(@from) AND start < toDateTime(@to)
{{- range .Filters}}
  AND {{.}}
{{- end}}
