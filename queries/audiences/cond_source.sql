-- audiences/cond_source: the visitors of @site who arrived from the source
-- named by the bound parameter .P in the last .Days days: a referrer's name
-- ("google"), its kind (referrer_source: "search", "social", …) or the
-- utm_source, in any case. A piece of a segment.
SELECT DISTINCT visitor_id FROM {{.DB}}.events
WHERE site_id = @site AND visitor_id != '' AND is_bot = 0
  AND ts >= now() - INTERVAL {{.Days}} DAY
  AND (lower(referrer_name) = lower(@{{.P}}) OR lower(referrer_source) = lower(@{{.P}})
       OR lower(utm_source) = lower(@{{.P}}))
