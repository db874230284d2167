-- partner/cells: the cells of a statistics export for partners (ashiato
-- stats export): per value of one whitelisted dimension (.Dim, chosen by
-- collector/partner), or of two (.Dim2; '' for one), the pageviews of @site from @from to @to (not bots)
-- and a lower bound of the people behind them: the distinct visitor IDs of
-- consented traffic plus, for anonymous traffic (whose keyed hash changes
-- every day), the most distinct hashes of any one day, whichever is
-- larger (one person may be both, on different days). A lower bound keeps
-- the suppression of small cells on the safe side.
SELECT dim, dim2, sum(pv) AS pageviews, greatest(max(ident), max(anon)) AS people
FROM (
  SELECT {{.Dim}} AS dim, {{.Dim2}} AS dim2, toDate(ts) AS day, countIf(type = 'pageview') AS pv,
         uniqExactIf(visitor_hash, visitor_id = '') AS anon, 0 AS ident
  FROM {{.DB}}.events
  WHERE site_id = @site AND is_bot = 0 AND ts >= @from AND ts < @to
  GROUP BY dim, dim2, day
  UNION ALL
  SELECT {{.Dim}} AS dim, {{.Dim2}} AS dim2, toDate('1970-01-02') AS day, 0 AS pv, 0 AS anon,
         uniqExactIf(visitor_id, visitor_id != '') AS ident
  FROM {{.DB}}.events
  WHERE site_id = @site AND is_bot = 0 AND ts >= @from AND ts < @to
  GROUP BY dim, dim2
)
GROUP BY dim, dim2
ORDER BY pageviews DESC, dim, dim2
