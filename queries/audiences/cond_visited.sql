-- audiences/cond_visited: the visitors of @site with at least .Times
-- pageviews of a path LIKE the pattern in the last .Days days. A piece of
-- a segment (collector/segment): .P names its bound parameter, .Times and
-- .Days are whole numbers the rule parser checked.
SELECT visitor_id FROM {{.DB}}.events
WHERE site_id = @site AND visitor_id != '' AND is_bot = 0 AND type = 'pageview'
  AND ts >= now() - INTERVAL {{.Days}} DAY AND url_path LIKE @{{.P}}
GROUP BY visitor_id HAVING count() >= {{.Times}}
