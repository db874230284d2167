-- audience_members: the members of one audience of a site that may be used
-- now. Subjects under a stop of use (privacy_subjects, latest state
-- "stopped") are left out until they resume; withdrawn and erased subjects
-- have no rows left.
-- Parameters: site, audience.
SELECT visitor_id, user_id, added_at
FROM {{.DB}}.audience_members
WHERE site_id = @site AND audience = @audience
  AND visitor_id NOT IN (
    SELECT subject FROM (
      SELECT kind, key_hash, argMax(subject, version) AS subject, argMax(state, version) AS state
      FROM {{.DB}}.privacy_subjects WHERE site_id = @site GROUP BY kind, key_hash
    ) WHERE state = 'stopped' AND kind = 'visitor')
  AND user_id NOT IN (
    SELECT subject FROM (
      SELECT kind, key_hash, argMax(subject, version) AS subject, argMax(state, version) AS state
      FROM {{.DB}}.privacy_subjects WHERE site_id = @site GROUP BY kind, key_hash
    ) WHERE state = 'stopped' AND kind = 'user')
ORDER BY visitor_id, user_id
