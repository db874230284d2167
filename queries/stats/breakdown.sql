-- breakdown: the metrics of one site's visits, broken down by one
-- dimension (or none: the totals), with filters. The engine
-- (collector/stats) fills in whitelisted expressions only: the dimension,
-- the filters, the metrics (formulas in docs/METRICS.md); every value is a
-- bound parameter. Each row of the middle query is a slice: the events of
-- one visit that pass the filters and share the dimension's value. A
-- visit belongs to the range (and the time bucket) where it started.
-- The slices come from events (slices_events.sql) or from the visits
-- rollup (slices_visits.sql), or both: the rollup's fresh days before
-- split, events after it (UNION ALL, the same columns and types).
-- WITH TOTALS, the same statement gives the totals of every slice (before
-- LIMIT), which the answer's totals and coverage block read.
-- Parameters: site, from, to, wfrom, split, wto (Unix seconds), tz, limit,
-- and one per filter.
SELECT
    dim
{{- range .Metrics}},
    {{.Expr}} AS {{.Name}}
{{- end}}
FROM
(
{{.Slices}}
)
GROUP BY dim{{if .Totals}} WITH TOTALS{{end}}
ORDER BY {{.OrderBy}}
{{- if .Limit}}
LIMIT @limit
{{- end}}
