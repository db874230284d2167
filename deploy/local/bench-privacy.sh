#!/usr/bin/env bash
# bench-privacy.sh — the privacy step of `make bench` (issue 17): on a
# generated site of ASHIATO_BENCH_PRIVACY_ROWS events (default 20 M),
#   1. the self-service lookup: ms and rows read per lookup, before (the
#      scan of the site that GET /api/privacy/me ran) and after (the
#      summary's count from event_subjects; the events read that exports
#      and the erasure's recount run, bounded through the primary key);
#   2. the erasure flood: N erasures through the admin API at once, against
#      one per-request ALTER TABLE … DELETE as before: mutations run, parts
#      and bytes written, seconds.
# It talks to the ClickHouse server on ASHIATO_BENCH_CH_PORT (default 19000)
# through clickhouse-client, in its own database, dropped at the end unless
# ASHIATO_BENCH_PRIVACY_KEEP=1 (ASHIATO_BENCH_PRIVACY_REUSE=1 keeps the
# generated events of an earlier run instead of generating them again).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/usr/local/go/bin:$PATH"
PORT="${ASHIATO_BENCH_CH_PORT:-19000}"
DB="${ASHIATO_BENCH_PRIVACY_DB:-ashiato_bench_privacy}"
ROWS="${ASHIATO_BENCH_PRIVACY_ROWS:-20000000}"
N="${ASHIATO_BENCH_PRIVACY_ERASURES:-50}"
LOOKUPS="${ASHIATO_BENCH_PRIVACY_LOOKUPS:-20}"
DSN="clickhouse://127.0.0.1:$PORT/$DB"
W="$(mktemp -d)"
q() { clickhouse-client --port "$PORT" -q "$1"; }
say() { printf '\n=== %s\n' "$*"; }
SPID=""
cleanup() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	[ "${ASHIATO_BENCH_PRIVACY_KEEP:-0}" = 1 ] || q "DROP DATABASE IF EXISTS $DB" || true
	rm -rf "$W"
}
trap cleanup EXIT

say "privacy: $ROWS generated events in $DB on ClickHouse $(q 'SELECT version()') (port $PORT); load average $(cut -d' ' -f1-3 /proc/loadavg)"
go build -trimpath -o "$W/ashiato" ./cmd/ashiato
have="$(q "SELECT count() FROM system.tables WHERE database = '$DB' AND name = 'events'")"
if [ "${ASHIATO_BENCH_PRIVACY_REUSE:-0}" = 1 ] && [ "$have" = 1 ] && [ "$(q "SELECT count() FROM $DB.events")" -ge "$ROWS" ]; then
	echo "reusing $(q "SELECT count() FROM $DB.events") events"
	"$W/ashiato" migrate --clickhouse-dsn "$DSN" >/dev/null 2>&1
else
	q "DROP DATABASE IF EXISTS $DB"
	"$W/ashiato" migrate --clickhouse-dsn "$DSN" >/dev/null 2>&1
	t0=$(date +%s)
	# One site, 61 days, half the events with one of 2 M visitor IDs (about
	# 5 each), the other half anonymous; a tenth with a (hashed) user ID.
	q "INSERT INTO $DB.events (event_id, site_id, ts, received_at, type, url_host, url_path, visitor_id, visitor_hash, user_id, purposes)
	   SELECT generateUUIDv4(), 'shop', toDateTime('2026-10-01 00:00:00') + (cityHash64(number) % (61*86400)) AS t, t, 'pageview', 'shop.example',
	     concat('/p/', toString(number % 500)),
	     if(number % 2 = 0, concat('v', toString(cityHash64(number, 1) % 2000000)), ''),
	     if(number % 2 = 1, cityHash64(number, 2), 0),
	     if(number % 10 = 0, concat('h1:u', toString(cityHash64(number, 1) % 2000000)), ''),
	     ['necessary']
	   FROM numbers($ROWS)"
	echo "generated in $(($(date +%s) - t0)) s"
fi
echo "events: $(q "SELECT count() FROM $DB.events") rows in $(q "SELECT count() FROM system.parts WHERE database = '$DB' AND table = 'events' AND active") parts; event_subjects: $(q "SELECT count() FROM $DB.event_subjects") rows"

say "self-service lookup ($LOOKUPS visitors, each query once)"
[ "${ASHIATO_BENCH_PRIVACY_LOOKUP:-1}" = 1 ] || LOOKUPS=0
LSTART=$(date +%s)
VS=()
[ "$LOOKUPS" = 0 ] || mapfile -t VS < <(q "SELECT DISTINCT subject FROM $DB.event_subjects WHERE site_id = 'shop' AND subject LIKE 'v%' AND cityHash64(subject) % 1000 = 7 LIMIT $LOOKUPS" | head -n "$LOOKUPS")
for v in "${VS[@]}"; do
	run() { clickhouse-client --port "$PORT" --log_queries=1 -q "$1" >/dev/null; }
	run "SELECT /* bench17:before */ count() FROM $DB.events WHERE site_id = 'shop' AND visitor_id IN ('$v')"
	run "SELECT /* bench17:summary */ uniqExact(event_id) FROM $DB.event_subjects WHERE site_id = 'shop' AND subject IN ('$v')"
	run "SELECT /* bench17:events */ count() FROM $DB.events WHERE site_id = 'shop' AND visitor_id IN ('$v') AND (toDate(ts), event_id) IN (SELECT toDate(ts), event_id FROM $DB.event_subjects WHERE site_id = 'shop' AND subject IN ('$v'))"
done
sleep 8 # query_log is flushed every 7.5 s
q "SYSTEM FLUSH LOGS" 2>/dev/null || true
q "SELECT extract(query, 'bench17:([a-z]+)') AS step, count() AS lookups, round(quantileExact(0.5)(query_duration_ms)) AS median_ms,
          max(query_duration_ms) AS max_ms, round(avg(read_rows)) AS rows_read
   FROM system.query_log WHERE type = 2 AND query LIKE '%bench17:%' AND query LIKE '%$DB.%' AND event_time >= toDateTime($LSTART)
   GROUP BY step ORDER BY step FORMAT PrettyCompactMonoBlock" | tee "$W/lookup.txt"

say "erasure flood: $N erasures through the admin API at once"
mutations() { q "SELECT count() FROM system.mutations WHERE database = '$DB' AND table IN ('events', 'event_subjects')"; }
written() { q "SELECT concat(toString(count()), ' parts, ', toString(sum(rows)), ' rows, ', formatReadableSize(sum(bytes_on_disk))) FROM system.parts WHERE database = '$DB' AND table IN ('events', 'event_subjects') AND active AND modification_time >= toDateTime($1)"; }
mapfile -t FV < <(q "SELECT DISTINCT subject FROM $DB.event_subjects WHERE site_id = 'shop' AND subject LIKE 'v%' AND cityHash64(subject) % 1000 = 11 LIMIT $((N + 1))")
printf 'sites:\n  - id: shop\n    hosts: [shop.example]\n' >"$W/ashiato.yaml"
TOKEN="$("$W/ashiato" token create --scope privacy --name bench --config "$W/ashiato.yaml" --clickhouse-dsn "$DSN" --data-dir "$W/data" 2>/dev/null)"
"$W/ashiato" serve --listen 127.0.0.1:0 --config "$W/ashiato.yaml" --clickhouse-dsn "$DSN" --data-dir "$W/data" --rate-per-ip 0 --log-level info 2>"$W/serve.log" &
SPID=$!
for _ in $(seq 1 300); do
	ADDR="$(grep -o '"addr":"[^"]*"' "$W/serve.log" | head -1 | sed 's/"addr":"//;s/"$//')" && [ -n "$ADDR" ] && break
	sleep 0.2
done
[ -n "${ADDR:-}" ] || { cat "$W/serve.log"; exit 1; }
m0="$(mutations)"
t0=$(date +%s)
for v in "${FV[@]:0:$N}"; do
	curl -fsS -o /dev/null --max-time 3600 -H "Authorization: Bearer $TOKEN" -d "{\"site\":\"shop\",\"visitor\":\"$v\"}" "http://$ADDR/admin/api/privacy/erase" &
done
wait_flood_ok=1
for j in $(jobs -p); do [ "$j" = "$SPID" ] && continue; wait "$j" || wait_flood_ok=0; done
t1=$(date +%s)
AFTER="mutations $(($(mutations) - m0)), $(written "$t0"), $((t1 - t0)) s, all answered 200: $wait_flood_ok, receipts verified: $(q "SELECT countIf(verified = 1) FROM $DB.erasure_receipts")"
echo "batched: $AFTER"
kill "$SPID"; wait "$SPID" 2>/dev/null || true; SPID=""
# Before: one erasure as a request ran it (one ALTER TABLE … DELETE on events).
v="${FV[$N]}"
m0="$(mutations)"; t0=$(date +%s)
q "ALTER TABLE $DB.events DELETE WHERE site_id = 'shop' AND visitor_id IN ('$v')"
while [ "$(q "SELECT count() FROM system.mutations WHERE database = '$DB' AND is_done = 0")" != 0 ]; do sleep 0.5; done
t1=$(date +%s)
BEFORE="mutations $(($(mutations) - m0)), $(written "$t0"), $((t1 - t0)) s — per erasure; $N erasures: $N times that"
echo "one per-request erasure: $BEFORE"

say "privacy results"
echo "lookup (ms and rows read per lookup):"
cat "$W/lookup.txt"
echo "erasure flood of $N: batched: $AFTER"
echo "erasure before (one request): $BEFORE"
