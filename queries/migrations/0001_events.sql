-- events: one row per accepted hit, after the consent gate and enrichment.
-- No raw IP and no raw User-Agent are ever stored. Columns are documented
-- in docs/SCHEMA.md. ReplacingMergeTree on event_id is a backstop: the
-- collector itself delivers exactly once.
CREATE TABLE IF NOT EXISTS {{.DB}}.events {{.OnCluster}} (
    event_id        UUID,
    site_id         {{lc}},
    ts              DateTime,
    received_at     DateTime,
    type            {{lc}},
    name            String,
    url_host        {{lc}},
    url_path        String,
    url_query       String,
    title           String,
    referrer        String,
    referrer_host   {{lc}},
    referrer_source {{lc}},
    referrer_name   {{lc}},
    utm_source      String,
    utm_medium      String,
    utm_campaign    String,
    utm_term        String,
    utm_content     String,
    click_id_type   {{lc}},
    click_id        String,
    screen          {{lc}},
    lang            {{lc}},
    browser         {{lc}},
    browser_version {{lc}},
    os              {{lc}},
    os_version      {{lc}},
    device_type     {{lc}},
    country         {{lc}},
    visitor_id      String,
    visitor_hash    UInt64,
    session_id      String,
    user_id         String,
    consent_id      String,
    purposes        Array(String),
    is_bot          UInt8,
    bot_reason      {{lc}},
    engaged_ms      UInt32,
    scroll_depth    UInt8,
    prop_keys       Array(String),
    prop_values     Array(String)
) ENGINE = {{.Engine "ReplacingMergeTree"}}
PARTITION BY toYYYYMM(ts)
ORDER BY (site_id, toDate(ts), event_id)
{{if .DedupToken}}SETTINGS non_replicated_deduplication_window = 1000{{end}}
