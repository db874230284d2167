-- visits: the visits rollup, one row per visit (bots excluded), built per
-- (site, UTC day) from events by the rollup job (collector/rollup) with
-- the engine's own visit SQL (queries/stats/visit_events.sql; a visit ends
-- at midnight UTC), rebuilt whenever the day's events change. Each build
-- of a day is a partition of its own, (day, version): readers take the
-- newest version recorded in visits_days, the job drops older builds, and
-- erasure deletes a subject's rows here as in events (visitor_id,
-- user_id). Per visit: its totals, its attributes (those of its first
-- event), its pageview paths and times in order (journeys, funnels), one
-- slice per page (page_*) and per custom event name (event_names …) for
-- the page and event breakdowns, and its custom events in order
-- (event_ts, event_list, their properties and revenue: funnels, props). Revenue currencies are the engine's
-- reinterpretAsUInt64(currency). No raw IP, no User-Agent.
CREATE TABLE IF NOT EXISTS {{.DB}}.visits {{.OnCluster}} (
    site_id           {{lc}},
    day               Date,
    version           UInt64,
    visit             UInt64,
    vkey              UInt64,
    visitor_id        String,
    user_id           String,
    visitor_hash      UInt64,
    start             DateTime,
    end               DateTime,
    pageviews         UInt32,
    events            UInt32,
    engaged_ms        UInt64,
    scroll_sum        UInt64,
    scroll_n          UInt32,
    rev_keys          Array(UInt64),
    rev_amounts       Array(Float64),
    entry_page        String,
    exit_page         String,
    pages             Array(String),
    page_ts           Array(DateTime),
    page_paths        Array(String),
    page_views        Array(UInt32),
    page_engaged      Array(UInt64),
    page_scroll_sum   Array(UInt64),
    page_scroll_n     Array(UInt32),
    event_names       Array(String),
    event_counts      Array(UInt32),
    event_rev_keys    Array(Array(UInt64)),
    event_rev_amounts Array(Array(Float64)),
    event_ts          Array(DateTime),
    event_list        Array(String),
    event_prop_keys   Array(Array(String)),
    event_prop_values Array(Array(String)),
    event_currency    Array(UInt64),
    event_revenue     Array(Float64),
    referrer_source   {{lc}},
    referrer_host     {{lc}},
    referrer_name     {{lc}},
    utm_source        String,
    utm_medium        String,
    utm_campaign      String,
    utm_term          String,
    utm_content       String,
    click_id_type     {{lc}},
    browser           {{lc}},
    browser_version   {{lc}},
    os                {{lc}},
    os_version        {{lc}},
    device_type       {{lc}},
    country           {{lc}},
    lang              {{lc}},
    screen            {{lc}}
) ENGINE = {{.Engine "MergeTree"}}
PARTITION BY (day, version)
ORDER BY (site_id, start)
