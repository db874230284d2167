-- audiences/cond_interest: the visitors of @site whose interest score in
-- one category (.Scores: queries/audiences/interests.sql composed by
-- collector/interest for the category bound as .P) is .Op (>= or >) the
-- number bound as .Min, among the visitors whose latest decision grants
-- one of the purposes bound as .Purposes (the site's purposes that unlock
-- interest_profile), of the policy revision bound as .Revision or later
-- and not expired: nobody else has an interest profile. A piece of a
-- segment; the export's own check (audience_export, stop of use) runs over
-- the whole segment.
SELECT visitor_id FROM ({{.Scores}})
WHERE category = @{{.P}} AND score {{.Op}} @{{.Min}}
  AND visitor_id IN (
    SELECT visitor_id FROM (
      SELECT visitor_id, argMax(granted, consent_id) AS g, argMax(revision, consent_id) AS rev, argMax(expires_at, consent_id) AS exp
      FROM {{.DB}}.consent_log WHERE site_id = @site AND visitor_id != '' GROUP BY visitor_id
    ) WHERE hasAny(g, @{{.Purposes}}) AND rev >= @{{.Revision}} AND exp > now())
