-- audiences/cond_lookalike: the visitors of @site whose score in the
-- latest build of the look-alike model bound as .P (lookalike_scores,
-- written by `ashiato audience lookalike`) is .Op (>= or >) the number
-- bound as .Min. A piece of a segment: the export checks each subject's
-- consent again.
SELECT visitor_id FROM {{.DB}}.lookalike_scores
WHERE site_id = @site AND model = @{{.P}} AND visitor_id != '' AND score {{.Op}} @{{.Min}}
  AND built_at = (SELECT max(built_at) FROM {{.DB}}.lookalike_scores WHERE site_id = @site AND model = @{{.P}})
