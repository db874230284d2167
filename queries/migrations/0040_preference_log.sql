-- preference_log: the append-only ledger of a customer's notice
-- preferences (collector/preferences). One row per change: who (user_id,
-- as stored: a keyed hash when the site hashes user IDs), when, channel,
-- topic, old state (-1: the topic's default, no choice before; 0 off; 1
-- on) and new state, source (customer, admin, import, unsubscribe), the
-- actor and, for one-click unsubscribe links, the link's ID (a link works
-- once). The row with the highest seq per (site_id, user_id, channel,
-- topic) is the current state. visitor_id is always '' (preferences
-- belong to a customer) and is here so that a subject's export and
-- erasure find the rows like any other table's.
CREATE TABLE IF NOT EXISTS {{.DB}}.preference_log {{.OnCluster}} (
    change_id   String,
    site_id     {{lc}},
    user_id     String,
    visitor_id  String,
    channel     {{lc}},
    topic       {{lc}},
    old_state   Int8,
    new_state   UInt8,
    source      {{lc}},
    actor       String,
    link_id     String,
    ts          DateTime,
    seq         UInt64
) ENGINE = {{.Engine "MergeTree"}}
ORDER BY (site_id, user_id, channel, topic, seq)
