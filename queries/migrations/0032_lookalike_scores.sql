-- lookalike_scores: the score of every subject a look-alike build scored
-- (`ashiato audience lookalike NAME`: model = NAME, built_at = the build),
-- read by the segment condition lookalike('NAME') >= X (the latest build
-- of the model). Only subjects whose consent allowed audience export at
-- the build are scored; an export checks consent again. A withdrawal that
-- removes the visitor from audiences and an erasure delete the subject's
-- rows (store.SubjectTables); a new build of a model deletes the older
-- builds' rows.
CREATE TABLE IF NOT EXISTS {{.DB}}.lookalike_scores {{.OnCluster}} (
    site_id    {{lc}},
    model      String,
    built_at   DateTime,
    visitor_id String,
    user_id    String,
    score      Float64
) ENGINE = {{.Engine "MergeTree"}}
ORDER BY (site_id, model, built_at, visitor_id)
