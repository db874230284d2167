-- audiences/segment: the subjects of a segment of @site, in the columns of
-- audience_members, so that queries/exports/audience_members.sql can read
-- them in place of the table (its "source" block) and check each one's
-- consent exactly as for a stored audience. .Where is the rule composed
-- from the cond_*.sql pieces. A visitor's user ID is the one its events
-- carry (only when the user-ID join was allowed), '' otherwise.
SELECT site_id, @audience AS audience, visitor_id, max(user_id) AS user_id, now() AS added_at
FROM {{.DB}}.events
WHERE site_id = @site AND visitor_id != '' AND is_bot = 0 AND ({{.Where}})
GROUP BY site_id, visitor_id
