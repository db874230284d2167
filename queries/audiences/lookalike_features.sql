-- audiences/lookalike_features: the binary features of the identified
-- visitors of @site in the last .Days days, one row per (visitor, feature):
-- traffic source kind, device type, country and site section (the first
-- segment of the path). collector/lookalike adds imported traits and keeps
-- only subjects whose consent allows audience export.
SELECT visitor_id, max(user_id) AS user_id, groupUniqArray(f) AS features
FROM (
  SELECT visitor_id, user_id,
         [concat('source:', referrer_source), concat('device:', device_type), concat('country:', country),
          concat('section:/', splitByChar('/', url_path)[2])] AS fs
  FROM {{.DB}}.events
  WHERE site_id = @site AND visitor_id != '' AND is_bot = 0 AND ts >= now() - INTERVAL {{.Days}} DAY
) ARRAY JOIN fs AS f
GROUP BY visitor_id
