-- visits: a rollup with one row per visit (bots excluded), rebuilt per
-- (site, UTC day) from events by the rollup job (collector/rollup) whenever
-- the day's events change: late events, erasure and retention all change a
-- day's event count or checksum (visits_days), and the day is rebuilt from
-- what events hold then. Each build of a (site, day) is a partition of its
-- own, (day, version), which the job drops once a newer build replaces it
-- (erased subjects leave with it); readers take each day's newest version
-- only (visits_days).
-- A visit is a consented session (session_id), or the events of one
-- visitor (visitor_id, else the anonymous daily visitor_hash) with no gap
-- over 30 minutes, cut at UTC midnight; pages are the paths of its
-- pageviews in order (journeys, page breakdowns). No raw IP, no User-Agent, the same
-- identifiers as events (erasure deletes them there first).
CREATE TABLE IF NOT EXISTS {{.DB}}.visits {{.OnCluster}} (
    site_id         {{lc}},
    day             Date,
    version         UInt64,
    actor           String,
    vn              UInt32,
    visitor_id      String,
    visitor_hash    UInt64,
    session_id      String,
    start           DateTime,
    end             DateTime,
    pageviews       UInt32,
    events          UInt32,
    engaged_ms      UInt64,
    entry_page      String,
    exit_page       String,
    pages           Array(String),
    url_host        {{lc}},
    referrer_source {{lc}},
    referrer_host   {{lc}},
    referrer_name   {{lc}},
    utm_source      String,
    utm_medium      String,
    utm_campaign    String,
    utm_term        String,
    utm_content     String,
    click_id_type   {{lc}},
    browser         {{lc}},
    browser_version {{lc}},
    os              {{lc}},
    os_version      {{lc}},
    device_type     {{lc}},
    country         {{lc}},
    lang            {{lc}},
    screen          {{lc}}
) ENGINE = {{.Engine "MergeTree"}}
PARTITION BY (day, version)
ORDER BY (site_id, start)
