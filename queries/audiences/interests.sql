-- audiences/interests: interest scores of the identified visitors of @site,
-- computed when asked (no profile is stored: a withdrawal, a stop of use
-- or an erasure takes effect at the next read). An event counts for each
-- category whose rule it matches (.Cases: one if(…, 'name', '') per
-- category, composed by collector/interest from bound parameters), with
-- weight 0.5^(age / half-life); events older than .HorizonDays weigh less
-- than 1/64 and are not read. Anonymous traffic (no visitor ID) never gets
-- a score; bots are left out. .Where narrows to one subject (@visitor or
-- @user) or nothing. The consent check (interest_profile) is the caller's:
-- collector/interest runs exports/audience_members.sql over these rows.
SELECT visitor_id, max(user_id) AS user_id, category,
       sum(pow(0.5, (toUInt32(now()) - toUInt32(ts)) / {{.HalfLifeSeconds}})) AS score
FROM (
  SELECT visitor_id, user_id, ts, arrayJoin(arrayFilter(c -> c != '', [{{.Cases}}])) AS category
  FROM {{.DB}}.events
  WHERE site_id = @site AND visitor_id != '' AND is_bot = 0
    AND ts >= now() - INTERVAL {{.HorizonDays}} DAY {{.Where}}
)
GROUP BY visitor_id, category
