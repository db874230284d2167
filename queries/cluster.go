package queries

// ShardingKeys names, for every table of the schema, the sharding key of
// its Distributed table on a cluster (clickhouse_cluster): the migration
// creates the table itself as <name>_local on every node and <name> as a
// Distributed table over them, so every statement in this folder reads and
// writes the whole cluster through the names it always used.
//
// Tables that grow with traffic are spread over the shards by a key that
// keeps together the rows a ReplacingMergeTree collapses or a subject's
// erasure finds: events and event_subjects by event ID (event_subjects_mv
// runs on the shard that stores the event), the ledger and its indexes by
// consent ID, the visits rollup by visit, the audit log at random, the
// subject tables by their subject key. The small tables (configuration,
// salts, receipts, queues, rollup bookkeeping) have the key 0: one copy,
// on the first shard, so that every collector on every node reads the
// same rows (the salts of anonymous mode must be shared). docs/SCHEMA.md
// lists the same choices.
var ShardingKeys = map[string]string{
	"events":           "cityHash64(toString(event_id))",
	"event_subjects":   "cityHash64(toString(event_id))",
	"consent_log":      "cityHash64(consent_id)",
	"consent_subjects": "cityHash64(consent_id)",
	"consent_revoked":  "cityHash64(consent_id)",
	"visits":           "visit",
	"audit_log":        "rand()",
	"identities":       "cityHash64(visitor_id)",
	"audience_members": "cityHash64(visitor_id, user_id)",
	"traits":           "cityHash64(user_id)",
	"privacy_subjects": "cityHash64(key_hash)",
	"lookalike_scores": "cityHash64(visitor_id, user_id)",
	"preference_log":   "cityHash64(user_id)",
	"privacy_requests": "cityHash64(request_id)",

	"schema_migrations": "0",
	"consent_texts":     "0",
	"salts":             "0",
	"erasure_receipts":  "0",
	"api_tokens":        "0",
	"daily_stats":       "0",
	"erasure_queue":     "0",
	"visits_days":       "0",
	"audience_segments": "0",
}

// LocalSuffix ends the name of a table's shard on a cluster.
const LocalSuffix = "_local"
