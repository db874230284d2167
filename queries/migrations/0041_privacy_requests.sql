-- privacy_requests: requests for disclosure, stop of use or erasure
-- (開示・利用停止等の請求, collector/requests). Append-only: one row per
-- step (received, verified, in_progress, completed, rejected); the row
-- with the highest seq per (site_id, request_id) is the request's current
-- state. deadline is the date (in the site's time zone) by which it is
-- answered. user_id is as stored; visitor_id is always '' (see
-- preference_log). A completed erasure's last row carries no user_id.
CREATE TABLE IF NOT EXISTS {{.DB}}.privacy_requests {{.OnCluster}} (
    request_id  String,
    site_id     {{lc}},
    user_id     String,
    visitor_id  String,
    kind        {{lc}},
    state       {{lc}},
    reason      String,
    actor       String,
    filed_at    DateTime,
    deadline    Date,
    ts          DateTime,
    seq         UInt64
) ENGINE = {{.Engine "MergeTree"}}
ORDER BY (site_id, request_id, seq)
