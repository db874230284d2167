#!/usr/bin/env bash
# bench-reports.sh — `make bench-reports`, and the last step of `make bench`:
# how fast every report answers on 1 M and 10 M seeded events over 90 days,
# with 30 days selected and one filter, and an estimate for 100 M.
#
# Seeds (ashiato seed) two databases on the project-local ClickHouse,
# bench_reports_1m and bench_reports_10m, once: a database seeded with the
# same parameters is reused (the 10 M one takes minutes to fill). Then runs
# every report 5 times, the first cold (ClickHouse's cache of uncompressed
# blocks emptied), and prints one table: report, rows scanned (read_rows
# of system.query_log; the queries run with log_queries=1), the median
# server time of 1 M and 10 M, the cold run's on 10 M, the server's CPU
# time on 10 M, the target,
# and the 100 M estimate: the 10 M CPU time plus ten times its growth from
# 1 M (linear in the rows).
#
# The reports come from the stats engine (`ashiato query REPORT … --sql`
# prints each report's statements with the values written in; they run
# through clickhouse-client). Without the engine
# (`ashiato query --list` lacks the reports), or with
# ASHIATO_BENCH_REPORTS_MODE=shapes, every hand-written shape runs instead
# (deploy/bench/reports/*.sql). docs/BENCHMARKS.md has the figures.
#
# Settings (environment):
#   ASHIATO_BENCH_REPORTS_PORT=19000   native port of the ClickHouse to use (started with
#                                      deploy/local/clickhouse.sh when nothing answers)
#   ASHIATO_BENCH_REPORTS_SIZES="1000000 10000000"  events of each database
#   ASHIATO_BENCH_REPORTS_RUNS=5       runs of each report (the table shows the median; a run over
#                                      ten times the target is not repeated)
#   ASHIATO_BENCH_REPORTS_ONLY=""      only these reports (space-separated names)
#   ASHIATO_BENCH_REPORTS_MODE=auto    engine, shapes, or auto (engine when present)
#   ASHIATO_BENCH_REPORTS_TIMEOUT=30   seconds before a query is cancelled (counted as that)
#   ASHIATO_BENCH_REPORTS_ENGINE=…     an ashiato binary whose engine prints the SQL (default: this checkout's)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
export PATH="/usr/local/go/bin:$PATH"

PORT="${ASHIATO_BENCH_REPORTS_PORT:-19000}"
HTTP_PORT="${ASHIATO_BENCH_REPORTS_HTTP_PORT:-18123}"
SIZES="${ASHIATO_BENCH_REPORTS_SIZES:-1000000 10000000}"
RUNS="${ASHIATO_BENCH_REPORTS_RUNS:-5}"
ONLY="${ASHIATO_BENCH_REPORTS_ONLY:-}"
MODE="${ASHIATO_BENCH_REPORTS_MODE:-auto}"
TIMEOUT="${ASHIATO_BENCH_REPORTS_TIMEOUT:-30}"
TARGET_MS=500
SITE=bench DAYS=90 SEED=1 TZNAME=Asia/Tokyo
# Bump when the generator changes so that old databases are seeded again.
SEED_VERSION=1

mkdir -p "$ROOT/.local"
W="$(mktemp -d "$ROOT/.local/bench-reports.XXXXXX")"
trap 'rm -f "$W/ashiato"' EXIT
ch() { clickhouse-client --host 127.0.0.1 --port "$PORT" "$@"; }
say() { printf '\n=== %s\n' "$*"; }

say "report speed: setup"
if ! ch -q "SELECT 1" >/dev/null 2>&1; then
	ASHIATO_CH_PORT="$PORT" deploy/local/clickhouse.sh start
fi
echo "ClickHouse $(ch -q 'SELECT version()') on 127.0.0.1:$PORT; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
go build -trimpath -o "$W/ashiato" ./cmd/ashiato
ASH="$W/ashiato"
ENGINE="${ASHIATO_BENCH_REPORTS_ENGINE:-$ASH}"
# The engine reads sites from the configuration: the seeded site, in Tokyo.
cat >"$W/config.yaml" <<YAML
sites:
  - id: $SITE
    hosts: [$SITE.example]
    origins: ["https://$SITE.example"]
    time_zone: $TZNAME
YAML
if [ "$MODE" = auto ]; then
	if "$ENGINE" query --list 2>/dev/null | grep -q '^funnel'; then MODE=engine; else MODE=shapes; fi
fi
echo "reports: $MODE ($([ "$MODE" = engine ] && echo 'ashiato query REPORT --sql' || echo 'deploy/bench/reports/*.sql'))"

# seed_db EVENTS: the database for EVENTS events, seeded unless it already
# holds the same parameters; prints its name.
seed_db() {
	local n="$1" db params have end
	db="bench_reports_$(awk -v n="$1" 'BEGIN{ if (n % 1000000 == 0) printf "%dm", n/1000000; else if (n % 1000 == 0) printf "%dk", n/1000; else print n }')"
	params="events=$n days=$DAYS seed=$SEED site=$SITE version=$SEED_VERSION"
	have="$(ch -q "SELECT params FROM $db.bench_seed" 2>/dev/null || true)"
	if [ "$have" != "$params" ]; then
		end="$(date -u +%Y-%m-%dT%H:00:00Z)"
		echo "seeding $db: $params, ending $end" >&2
		ch -q "DROP DATABASE IF EXISTS $db"
		"$ASH" seed --site "$SITE" --events "$n" --days "$DAYS" --seed "$SEED" --end "$end" \
			--clickhouse-dsn "clickhouse://127.0.0.1:$PORT/$db" --log-level warn >&2
		ch -q "CREATE TABLE $db.bench_seed (params String, end_ts UInt32) ENGINE = TinyLog"
		ch -q "INSERT INTO $db.bench_seed VALUES ('$params', $(date -u -d "$end" +%s))"
	else
		echo "reusing $db ($params)" >&2
		"$ASH" migrate --clickhouse-dsn "clickhouse://127.0.0.1:$PORT/$db" --log-level warn >/dev/null
	fi
	# The visits rollup the reports read, as serve keeps it (only the days
	# whose events changed are built again; the first time, every day).
	"$ASH" rollup refresh --clickhouse-dsn "clickhouse://127.0.0.1:$PORT/$db" --log-level warn 2>&1 >/dev/null | sed "s/^/$db: /" >&2
	echo "$db"
}

# The reports, each with the arguments of its run: 30 days, one filter.
REPORTS=(
	"overview|--filter 'country is JP'"
	"timeseries|--filter 'device is mobile'"
	"pages|--filter 'country is JP'"
	"entry_pages|--filter 'country is JP'"
	"exit_pages|--filter 'country is JP'"
	"sources|--filter 'browser is Chrome'"
	"utm|--filter 'country is JP'"
	"browsers|--filter 'country is JP'"
	"os|--filter 'country is JP'"
	"devices|--filter 'country is JP'"
	"countries|--filter 'device is mobile'"
	"languages|--filter 'country is JP'"
	"events|--filter 'country is JP'"
	"props|--by prop:currency --filter 'event is purchase'"
	"goals|--filter 'country is JP'"
	"funnel|--steps /products/1,/cart,/checkout,event:purchase --window 3600 --filter 'device is desktop'"
	"retention|--filter 'country is JP'"
	"journeys|--page /cart --filter 'country is JP'"
	"realtime|--filter 'country is JP'"
	"consent|--by method"
	"coverage|--filter 'country is JP'"
	"fresh_check|fresh"
)
# Without the engine: every hand-written shape (deploy/bench/reports/*.sql).
# With it: the engine's reports.
SHAPES=()
for f in deploy/bench/reports/*.sql; do
	n="$(basename "$f" .sql)"
	if [ "$MODE" = shapes ]; then SHAPES+=("$n|shape"); fi
done
if [ "$MODE" = shapes ]; then REPORTS=("${SHAPES[@]}"); fi

# statements NAME ARGS DB FROM TO: the SQL of one report run, to stdout.
statements() {
	local name="$1" args="$2" db="$3" from="$4" to="$5"
	if [ "$name" = fresh_check ]; then
		# What the engine asks before a report that can read the rollup
		# (stats.Engine.Fresh): each UTC day's events and its newest build.
		local wf=$((from / 86400 * 86400)) wt=$(((to + 86399) / 86400 * 86400))
		echo "SELECT toString(toDate(ts, 'UTC')) AS d, countIf(is_bot = 0) AS n FROM $db.events WHERE site_id = '$SITE' AND ts >= toDateTime($wf) AND ts < toDateTime($wt) GROUP BY d;"
		echo "SELECT toString(day) AS d, argMax(events, version) AS n FROM $db.visits_days WHERE site_id = '$SITE' AND day >= toDate(toDateTime($wf), 'UTC') AND day < toDate(toDateTime($wt), 'UTC') GROUP BY d;"
	elif [ "$MODE" = engine ] && [ "$args" != shape ]; then
		eval "\"\$ENGINE\" query \"\$name\" --config \"\$W/config.yaml\" --site $SITE --tz $TZNAME \
			--from $(date -u -d "@$from" +%F) --to $(date -u -d "@$((to - 86400))" +%F) $args --sql \
			--clickhouse-dsn clickhouse://127.0.0.1:$PORT/$db"
	else
		local f="deploy/bench/reports/$name.sql"
		[ -f "$f" ] || return 1
		sed -e "s/{db}/$db/g; s/{site}/$SITE/g; s/{from}/$from/g; s/{to}/$to/g; s|{tz}|$TZNAME|g" "$f"
	fi
}

# measure FILE: runs the statements of FILE once with log_queries=1 over
# ClickHouse's HTTP interface, all at once as the engine asks them (stats.Engine: results, totals and the
# comparison period in parallel); prints "ms rows cpu_ms": the wall time
# from the first statement sent to the last answer (clients included),
# rows read, and the server's CPU time (user + system) for them — the
# figure that does not grow with the machine's load; or "timeout rows -"
# past the timeout.
RUN_N=0
measure() {
	RUN_N=$((RUN_N + 1))
	local id="bench-reports-$$-$RUN_N" status=ok watchdog i=0 pids=() t0 t1
	rm -f "$W"/stmt-*.sql "$W"/err-*.txt
	awk -v dir="$W" 'BEGIN { RS = ";\n" } /[^ \t\n]/ { n++; printf "%s;\n", $0 > (dir "/stmt-" n ".sql") }' "$1"
	# max_execution_time is checked only while reading on 18.16: past the
	# timeout a watchdog kills the queries (the engine's ran for minutes).
	(sleep "$TIMEOUT"; ch -q "KILL QUERY WHERE query_id LIKE '$id-%' ASYNC" >/dev/null 2>&1) &
	watchdog=$!
	t0=$(date +%s%N)
	for f in "$W"/stmt-*.sql; do
		i=$((i + 1))
		# Over HTTP: curl starts in milliseconds, clickhouse-client in 100+.
		curl -sS --fail-with-body --data-binary @"$f" -o "$W/err-$i.txt" \
			"http://127.0.0.1:$HTTP_PORT/?query_id=$id-$i&log_queries=1&max_execution_time=$TIMEOUT" 2>/dev/null &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || status=fail; done
	t1=$(date +%s%N)
	[ "$status" = ok ] || cat "$W"/err-*.txt >"$W/err.txt" 2>/dev/null || true
	kill "$watchdog" 2>/dev/null || true
	wait "$watchdog" 2>/dev/null || true
	ch -q "SYSTEM FLUSH LOGS"
	local r
	r="$(ch -q "SELECT sum(read_rows),
		intDiv(sum(ProfileEvents.Values[indexOf(ProfileEvents.Names, 'UserTimeMicroseconds')]
		         + ProfileEvents.Values[indexOf(ProfileEvents.Names, 'SystemTimeMicroseconds')]), 1000)
		FROM system.query_log WHERE query_id LIKE '$id-%' AND type = 2")"
	if [ "$status" = fail ]; then
		grep -q 'TIMEOUT_EXCEEDED\|Timeout exceeded\|QUERY_WAS_CANCELLED\|was cancelled' "$W/err.txt" && { echo "timeout $(cut -f1 <<<"$r") -"; return; }
		echo "error 0 -"
		return
	fi
	echo "$(((t1 - t0) / 1000000)) $(tr '\t' ' ' <<<"$r")"
}

median() { sort -g | awk '{v[NR]=$1} END{ if (NR==0) print "-"; else printf "%s", (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2) }'; }

declare -A MS ROWS CPU COLD
DBS=()
for n in $SIZES; do DBS+=("$(seed_db "$n")"); done
for db in "${DBS[@]}"; do
	end="$(ch -q "SELECT end_ts FROM $db.bench_seed")"
	from=$((end - 30 * 86400))
	say "$db: $(ch -q "SELECT count() FROM $db.events") events; 30 days [$(date -u -d "@$from" +%FT%HZ), $(date -u -d "@$end" +%FT%HZ)), $RUNS runs each"
	for spec in "${REPORTS[@]}"; do
		name="${spec%%|*}" args="${spec#*|}"
		[ -z "$ONLY" ] || [[ " $ONLY " == *" $name "* ]] || continue
		if ! statements "$name" "$args" "$db" "$from" "$end" >"$W/$name.sql" 2>"$W/$name.err"; then
			echo "$name: no SQL ($(head -c 200 "$W/$name.err"))"
			MS[$db/$name]="-" ROWS[$db/$name]="-"
			continue
		fi
		: >"$W/$name-$db.runs"
		# The first run is cold: the statements ask for the cache of
		# uncompressed blocks (stats.statementSettings), emptied here.
		ch -q "SYSTEM DROP UNCOMPRESSED CACHE"
		for _ in $(seq 1 "$RUNS"); do
			measure "$W/$name.sql" >>"$W/$name-$db.runs"
			# A report ten times over the target, or past the timeout, is not
			# run again: its verdict is clear and the machine is shared.
			tail -1 "$W/$name-$db.runs" | awk -v s=$((10 * TARGET_MS)) '{ exit !($1 == "timeout" || $1 == "error" || $1 > s) }' && break
		done
		if grep -q '^timeout\|^error' "$W/$name-$db.runs"; then
			MS[$db/$name]=">$((TIMEOUT * 1000))"
			grep -q '^error' "$W/$name-$db.runs" && MS[$db/$name]="error"
			[ "$RUNS" -gt 1 ] && head -c 300 "$W/err.txt"
		else
			MS[$db/$name]="$(cut -d' ' -f1 "$W/$name-$db.runs" | median)"
		fi
		ROWS[$db/$name]="$(cut -d' ' -f2 "$W/$name-$db.runs" | median)"
		CPU[$db/$name]="$(cut -d' ' -f3 "$W/$name-$db.runs" | { grep -v -- - || true; } | median)"
		COLD[$db/$name]="$(head -1 "$W/$name-$db.runs" | cut -d' ' -f1)"
		echo "$name: $(cut -d' ' -f1 "$W/$name-$db.runs" | paste -sd' ') ms; CPU $(cut -d' ' -f3 "$W/$name-$db.runs" | paste -sd' ') ms; rows read $(cut -d' ' -f2 "$W/$name-$db.runs" | head -1)"
	done
done

# The table: the last database is the one the target is about (10 M); the
# 100 M estimate extrapolates from the first two linearly.
small="${DBS[0]}" big="${DBS[${#DBS[@]}-1]}"
nsmall="$(echo "$SIZES" | awk '{print $1}')" nbig="$(echo "$SIZES" | awk '{print $NF}')"
say "report speed ($(date -u +%Y-%m-%dT%H:%MZ), ClickHouse $(ch -q 'SELECT version()'), $MODE, 30 of 90 days, one filter, median of $RUNS, load average $(cut -d' ' -f1-3 /proc/loadavg))"
{
	printf '%-22s %12s %12s %12s %12s %12s %8s %8s %12s\n' report "rows scanned" "ms ${small#bench_reports_}" "ms ${big#bench_reports_}" "cold ms ${big#bench_reports_}" "CPU ms ${big#bench_reports_}" target result "est. 100M CPU ms"
	for spec in "${REPORTS[@]}"; do
		name="${spec%%|*}"
		[ -z "$ONLY" ] || [[ " $ONLY " == *" $name "* ]] || continue
		a="${MS[$small/$name]:--}" b="${MS[$big/$name]:--}"
		res="$(awk -v b="$b" -v t="$TARGET_MS" 'BEGIN{ if (b ~ /^[0-9.]+$/) print (b <= t ? "pass" : "FAIL"); else print "FAIL" }')"
		est="$(awk -v a="${CPU[$small/$name]:--}" -v b="${CPU[$big/$name]:--}" -v na="$nsmall" -v nb="$nbig" 'BEGIN{
			if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && nb > na) { g = (b - a) / (nb - na); e = b + g * (100000000 - nb); printf "%.0f", (e > b ? e : b) } else print "-" }')"
		printf '%-22s %12s %12s %12s %12s %12s %8s %8s %12s\n' "$name" "${ROWS[$big/$name]:--}" "$a" "$b" "${COLD[$big/$name]:--}" "${CPU[$big/$name]:--}" "$TARGET_MS" "$res" "$est"
	done
} | tee "$W/table.txt"
echo "rows scanned: read_rows on $big (system.query_log); ms: median wall time of a report's statements asked at once, as the engine asks them (from the first sent to the last answered, over HTTP with curl); cold ms: the first of those runs, with ClickHouse's cache of uncompressed blocks emptied before it; CPU ms: the server's user + system CPU time for them (ProfileEvents), which does not grow with the machine's load; result: ms on $big against the target"
echo "raw output: $W"
