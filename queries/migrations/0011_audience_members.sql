-- audience_members: who is in which audience (ad audiences, interest
-- segments). Only subjects whose consent unlocks audience export may be
-- added; a withdrawal or an erasure removes the subject's rows, and a stop
-- of use excludes them (see queries/audience_members.sql).
CREATE TABLE IF NOT EXISTS {{.DB}}.audience_members {{.OnCluster}} (
    site_id    {{lc}},
    audience   String,
    visitor_id String,
    user_id    String,
    added_at   DateTime
) ENGINE = {{.Engine "ReplacingMergeTree" "added_at"}}
ORDER BY (site_id, audience, visitor_id, user_id)
