-- exports/audience_members: the members of one audience of a site that may
-- be exported now. Served only by GET /admin/api/audiences/{audience}/members
-- (export scope), never as a named query: it names people.
--
-- Consent is checked again here, at export, not only when a member was
-- added. A member is left out unless its visitor's latest decision on the
-- site grants one of @purposes (the site's purposes that unlock
-- audience_export; GPC has already taken advertising purposes out of a
-- decision made under it), is of the current policy revision (@revision)
-- and has not expired. A row of a user is left out when any visitor linked
-- to that user (rows of removed links included, until their deletion runs)
-- has a latest decision that does not consent, and a row with a user ID
-- alone needs at least one consenting linked visitor. Withdrawn and erased
-- subjects also lose their rows by mutation; this check holds until it has
-- run. Subjects under a stop of use (privacy_subjects, latest state
-- "stopped") are left out until they resume.
-- A member added more than once (the table is a ReplacingMergeTree, whose
-- copies stay until a merge) is listed once, with its latest addition.
-- Parameters: site, audience, purposes (Array(String), not empty), revision.
-- The block "source" is the rows checked: the audience_members table, or
-- a segment's subjects now (queries/audiences/segment.sql, put in its
-- place by queries.RenderSource), so both pass the same consent check.
{{/* The visitors of @site whose latest decision consents to audience export. */}}
{{- define "consenting"}}SELECT visitor_id FROM (
      SELECT visitor_id, argMax(granted, consent_id) AS g, argMax(revision, consent_id) AS rev, argMax(expires_at, consent_id) AS exp
      FROM {{.DB}}.consent_log WHERE site_id = @site AND visitor_id != '' GROUP BY visitor_id
    ) WHERE hasAny(g, @purposes) AND rev >= @revision AND exp > now(){{end -}}
SELECT visitor_id, user_id, max(added_at) AS last_added
FROM {{block "source" .}}{{.DB}}.audience_members{{end}}
WHERE site_id = @site AND audience = @audience
  AND (visitor_id = '' OR visitor_id IN (
    {{template "consenting" .}}))
  AND (user_id = '' OR user_id NOT IN (
    SELECT user_id FROM {{.DB}}.identities
    WHERE site_id = @site AND user_id != '' AND visitor_id NOT IN (
      {{template "consenting" .}})))
  AND (user_id = '' OR visitor_id != '' OR user_id IN (
    SELECT user_id FROM (
      SELECT visitor_id, user_id, argMax(unlinked, last_seen) AS removed FROM {{.DB}}.identities
      WHERE site_id = @site AND user_id != '' GROUP BY visitor_id, user_id
    ) WHERE removed = 0 AND visitor_id IN (
      {{template "consenting" .}})))
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
GROUP BY visitor_id, user_id
ORDER BY visitor_id, user_id
