-- visits_build: one build of the visits rollup for a site and a UTC day
-- [from, to): every visit of the day's events (bots excluded) under
-- version. A visit is a session (session_id), or the events of one visitor
-- ID or anonymous daily hash with no gap over 30 minutes; its attributes
-- are those of its first event, its entry and exit pages the paths of its
-- first and last pageview, its pages the paths of its pageviews in order.
-- Parameters: site, day (YYYY-MM-DD), from, to (Unix seconds), version.
INSERT INTO {{.DB}}.visits (site_id, day, version, actor, vn, visitor_id, visitor_hash, session_id,
    start, end, pageviews, events, engaged_ms, entry_page, exit_page, pages, url_host,
    referrer_source, referrer_host, referrer_name, utm_source, utm_medium, utm_campaign, utm_term,
    utm_content, click_id_type, browser, browser_version, os, os_version, device_type, country, lang, screen)
SELECT
    @site, toDate(@day), toUInt64(@version), actor, toUInt32(vn), any(vid), any(vhash), any(sid),
    min(e.1), max(e.1),
    toUInt32(countIf(e.2 = 'pageview')), toUInt32(countIf(e.2 = 'event')), sum(toUInt64(e.22)),
    argMinIf(e.3, e.1, e.2 = 'pageview'), argMaxIf(e.3, e.1, e.2 = 'pageview'),
    arrayMap(x -> x.2, arraySort(groupArrayIf((e.1, e.3), e.2 = 'pageview'))), argMin(e.4, e.1),
    argMin(e.5, e.1), argMin(e.6, e.1), argMin(e.7, e.1), argMin(e.8, e.1), argMin(e.9, e.1),
    argMin(e.10, e.1), argMin(e.11, e.1), argMin(e.12, e.1), argMin(e.13, e.1), argMin(e.14, e.1),
    argMin(e.15, e.1), argMin(e.16, e.1), argMin(e.17, e.1), argMin(e.18, e.1), argMin(e.19, e.1),
    argMin(e.20, e.1), argMin(e.21, e.1)
FROM
(
    SELECT
        actor,
        any(visitor_id) AS vid,
        any(visitor_hash) AS vhash,
        any(session_id) AS sid,
        arraySort(x -> x.1, groupArray((ts, type, url_path, url_host, referrer_source, referrer_host, referrer_name,
            utm_source, utm_medium, utm_campaign, utm_term, utm_content, click_id_type, browser, browser_version,
            os, os_version, device_type, country, lang, screen, engaged_ms))) AS evs,
        arrayCumSum(arrayMap(i -> (i = 1) OR (sid = '' AND evs[i].1 - evs[i - 1].1 > 1800), arrayEnumerate(evs))) AS vns
    FROM {{.DB}}.events
    WHERE site_id = @site AND is_bot = 0 AND ts >= toDateTime(@from) AND ts < toDateTime(@to)
    GROUP BY if(session_id != '', concat('s:', session_id), if(visitor_id != '', concat('v:', visitor_id), concat('h:', toString(visitor_hash)))) AS actor
)
ARRAY JOIN evs AS e, vns AS vn
GROUP BY actor, vn
