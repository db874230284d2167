-- audiences/cond_event: the visitors of @site who sent the event named by
-- the bound parameter .P in the last .Days days. A piece of a segment.
SELECT DISTINCT visitor_id FROM {{.DB}}.events
WHERE site_id = @site AND visitor_id != '' AND is_bot = 0 AND type = 'event'
  AND ts >= now() - INTERVAL {{.Days}} DAY AND name = @{{.P}}
