-- paths_visits: each visit of the visits rollup that started in
-- [from, min(to, split)) with its pageview paths in order.
-- Where: rollup_where.sql. Parameters: site, from, to, rfrom (a UTC
-- midnight), split (Unix seconds), f<i>.
SELECT visit, pages AS paths
FROM {{.DB}}.visits
{{.Where}}
