-- audiences/cond_member: the visitors of the stored audience named by the
-- bound parameter .P (a look-alike build writes its top N there as
-- "lookalike:NAME:TIME", and its segment's rule is member('…')). A piece
-- of a segment.
SELECT DISTINCT visitor_id FROM {{.DB}}.audience_members
WHERE site_id = @site AND audience = @{{.P}} AND visitor_id != ''
