-- audiences/cond_trait: the visitors of @site whose events carry a user ID
-- whose current imported traits (the latest import of the user) have the
-- trait named by the bound parameter .P equal to the one named by .P2.
-- A piece of a segment.
SELECT DISTINCT visitor_id FROM {{.DB}}.events
WHERE site_id = @site AND visitor_id != '' AND user_id != '' AND user_id IN (
  SELECT user_id FROM (
    SELECT user_id, argMax(keys, imported_at) AS k, argMax(values, imported_at) AS v
    FROM {{.DB}}.traits WHERE site_id = @site GROUP BY user_id
  ) WHERE indexOf(k, @{{.P}}) > 0 AND v[indexOf(k, @{{.P}})] = @{{.P2}})
