-- audiences/cond_source: the visitors of @site who arrived from the source
-- named by the bound parameter .P (referrer source or utm_source, any
-- case) in the last .Days days. A piece of a segment.
SELECT DISTINCT visitor_id FROM {{.DB}}.events
WHERE site_id = @site AND visitor_id != '' AND is_bot = 0
  AND ts >= now() - INTERVAL {{.Days}} DAY
  AND (lower(referrer_source) = lower(@{{.P}}) OR lower(utm_source) = lower(@{{.P}}))
