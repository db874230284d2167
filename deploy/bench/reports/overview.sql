-- overview: totals over the range with a filter; visitors by uniq over
-- visitor ID or the daily anonymous hash; visits = sessions + anonymous
-- (hash, day) pairs as a stand-in for the 30-minute rule.
SELECT
    uniq(if(visitor_id != '', visitor_id, toString(visitor_hash))) AS visitors,
    uniqIf(session_id, session_id != '') + uniqIf((visitor_hash, toDate(ts, '{tz}')), session_id = '') AS visits,
    countIf(type = 'pageview') AS pageviews,
    countIf(type = 'event') AS events
FROM {db}.events
WHERE site_id = '{site}' AND is_bot = 0 AND ts >= toDateTime({from}) AND ts < toDateTime({to})
  AND country = 'JP'
