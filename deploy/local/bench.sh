#!/usr/bin/env bash
# bench.sh — `make bench`: the Go micro-benchmarks, then the HTTP load test
# of POST /api/event against a bare Fiber baseline measured in the same run,
# the p99 latency at half load, the collector's peak RSS and the drain rate
# from the spool into ClickHouse; beside them the durable floor (bare Fiber
# with the collector's spool and writer, cmd/barefiber/floor.go), what the
# machine allows any collector that syncs before it answers. Prints the raw
# output of every step, then one table. docs/BENCHMARKS.md has the figures
# and how to read them.
#
# It runs its OWN ClickHouse server (deploy/local/clickhouse.sh with
# .local/bench-clickhouse and ports 19100/18223/19109), because the drain
# phase stops and restarts the server: the shared project-local server
# (19000) that tests use is never touched. The private server is stopped at
# the end; its data stays in .local/bench-clickhouse.
#
# Settings (environment):
#   ASHIATO_BENCH_SECONDS=10       length of each wrk run (two per server and the floor)
#   ASHIATO_BENCH_CONNS=50         connections (wrk -t2 -c50)
#   ASHIATO_BENCH_NEW_UA=0.03      share of requests with a never-seen User-Agent
#   ASHIATO_BENCH_DRAIN=1          run the drain phase (stops the bench's own ClickHouse)
#   ASHIATO_BENCH_DRAIN_EVENTS=200000  backlog spooled while ClickHouse is down
#   ASHIATO_BENCH_DRAIN_BATCH=10   events per request while filling it (JSON arrays)
#   ASHIATO_BENCH_OPEN_ROUNDS=3    open-loop rounds at half load (the p99 is their median)
#   ASHIATO_BENCH_CONSENT_N=20000  requests per closed-loop run of the consent rows (POST /api/consent
#                                  beside POST /api/event, both by loadgen fill; 0: skip the rows)
#   ASHIATO_BENCH_MICRO=1          run the Go micro-benchmarks (ASHIATO_BENCH_TIME=300ms each)
#   ASHIATO_BENCH_PRIVACY=1        run deploy/local/bench-privacy.sh (lookup and erasure flood, 20 M rows)
#   ASHIATO_BENCH_PROFILE=0        1: CPU and allocation profiles of the hot path under wrk load
#                                  (ashiato serve --debug-listen: pprof and the UA counters)
#   ASHIATO_BENCH_REPORTS=1        then run deploy/local/bench-reports.sh (report speed on the
#                                  project-local ClickHouse, not the bench's own; its own table)
#   ASHIATO_BENCH_DASHBOARD=1      then the dashboard's first render in Chromium (dashboard/scripts/bench.mjs)
#   ASHIATO_BENCH_CH_PORT=19100    native port of the bench's ClickHouse (HTTP 18223, interserver 19109)
#   ASHIATO_BENCH_UAS=…            UA corpus files (default ../shared/data/user-agents/*.txt,
#                                  else collector/enrich/testdata/user-agents.txt)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
export PATH="/usr/local/go/bin:$PATH"

SECS="${ASHIATO_BENCH_SECONDS:-10}"
CONNS="${ASHIATO_BENCH_CONNS:-50}"
NEW_UA="${ASHIATO_BENCH_NEW_UA:-0.03}"
DRAIN="${ASHIATO_BENCH_DRAIN:-1}"
DRAIN_N="${ASHIATO_BENCH_DRAIN_EVENTS:-200000}"
DRAIN_BATCH="${ASHIATO_BENCH_DRAIN_BATCH:-10}"
MICRO="${ASHIATO_BENCH_MICRO:-1}"
ROUNDS="${ASHIATO_BENCH_OPEN_ROUNDS:-3}"
CONSENT_N="${ASHIATO_BENCH_CONSENT_N:-20000}"
PROFILE="${ASHIATO_BENCH_PROFILE:-0}"
# The bench's own ClickHouse server, through the same script as the shared one.
export ASHIATO_CH_DIR="$ROOT/.local/bench-clickhouse"
export ASHIATO_CH_PORT="${ASHIATO_BENCH_CH_PORT:-19100}"
export ASHIATO_CH_HTTP_PORT="${ASHIATO_BENCH_CH_HTTP_PORT:-18223}"
export ASHIATO_CH_INTERSERVER_PORT="${ASHIATO_BENCH_CH_INTERSERVER_PORT:-19109}"
CH_PORT="$ASHIATO_CH_PORT"
CH_HTTP="http://127.0.0.1:$ASHIATO_CH_HTTP_PORT"
DB=ashiato_bench
DSN="clickhouse://127.0.0.1:$CH_PORT/$DB"

say() { printf '\n=== %s\n' "$*"; }
die() { echo "bench.sh: $*" >&2; exit 1; }

mkdir -p "$ROOT/.local"
W="$(mktemp -d "$ROOT/.local/bench.XXXXXX")"
PIDS=()
cleanup() {
	[ "$BASHPID" = "$$" ] || return 0
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	deploy/local/clickhouse.sh stop || true # the bench's own server only (ASHIATO_CH_DIR)
	rm -rf "$W"/data-*
	rm -f "$W/ashiato" "$W/barefiber" "$W/loadgen" # ashiato-prof stays for the profiles
}
trap cleanup EXIT
exec > >(tee "$W/bench.log") 2>&1

say "setup"
ASHIATO_DEPS_BENCH=1 deploy/local/deps.sh
if curl -fsS --max-time 2 "$CH_HTTP/ping" >/dev/null 2>&1 && [ ! -f "$ASHIATO_CH_DIR/server.pid" ]; then
	die "port $ASHIATO_CH_HTTP_PORT answers but is not the bench's ClickHouse; set ASHIATO_BENCH_CH_PORT/…_HTTP_PORT/…_INTERSERVER_PORT"
fi
deploy/local/clickhouse.sh start
echo "ClickHouse (the bench's own): $(curl -fsS "$CH_HTTP/" --data-binary 'SELECT version()') on 127.0.0.1:$CH_PORT"
go build -trimpath -o "$W/ashiato" ./cmd/ashiato
go build -trimpath -o "$W/barefiber" ./cmd/barefiber
go build -trimpath -o "$W/loadgen" ./cmd/loadgen
LG="$W/loadgen"

if [ -n "${ASHIATO_BENCH_UAS:-}" ]; then
	read -r -a corpus <<<"$ASHIATO_BENCH_UAS"
elif compgen -G "$ROOT/../shared/data/user-agents/*.txt" >/dev/null; then
	corpus=("$ROOT"/../shared/data/user-agents/*.txt)
else
	corpus=(collector/enrich/testdata/user-agents.txt)
fi
"$LG" uas -o "$W/uas.txt" "${corpus[@]}"
export BENCH_UAS="$W/uas.txt" BENCH_NEW_UA="$NEW_UA"
echo "UA corpus: ${corpus[*]} ($(wc -l <"$W/uas.txt") strings), never-seen share $NEW_UA"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "spool on: $(df -T "$W" | awk 'NR==2{print $1" ("$2")"}')"

ch() { curl -fsS --max-time 60 "$CH_HTTP/" --data-binary "$1"; }

# wait_listening LOG PID: print the address from the "listening" log line.
wait_listening() {
	for _ in $(seq 1 600); do
		if addr="$(grep -o '"msg":"listening"[^}]*"addr":"[^"]*"' "$1" 2>/dev/null | sed 's/.*"addr":"//;s/"$//')" && [ -n "$addr" ]; then
			echo "$addr"
			return 0
		fi
		kill -0 "$2" 2>/dev/null || { cat "$1" >&2; die "server exited"; }
		sleep 0.1
	done
	cat "$1" >&2
	die "server did not start"
}

# start_collector NAME: fresh database and data folder; sets CPID and CADDR.
start_collector() {
	ch "DROP DATABASE IF EXISTS $DB" >/dev/null
	"$W/ashiato" migrate --clickhouse-dsn "$DSN" >"$W/migrate.log" 2>&1 || { cat "$W/migrate.log"; die "migrate failed"; }
	mkdir -p "$W/data-$1"
	"$W/ashiato" serve --listen 127.0.0.1:0 --clickhouse-dsn "$DSN" --data-dir "$W/data-$1" \
		--rate-per-ip 0 --spool-max-bytes $((4 << 30)) --metrics-listen 127.0.0.1:0 2>"$W/$1.log" &
	CPID=$!
	PIDS+=("$CPID")
	CADDR="$(wait_listening "$W/$1.log" "$CPID")"
	MADDR="$(grep -o '"metrics_addr":"[^"]*"' "$W/$1.log" | head -1 | sed 's/.*"metrics_addr":"//;s/"$//')"
}

stop_pid() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

hwm_kib() { awk '/VmHWM/{print $2}' "/proc/$1/status"; }

TICK="$(getconf CLK_TCK)"
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }

# wrk_run NAME URL SECONDS PID: raw output to stdout and $W/wrk-NAME.txt,
# and the server's CPU time per request (user+system) to $W/cpu-NAME.txt.
wrk_run() {
	echo "--- wrk $1 ($3 s)"
	local c0 c1
	c0="$(cpu_ticks "$4")"
	wrk -t2 -c"$CONNS" -d"$3"s --latency -s deploy/bench/event.lua "$2" | tee "$W/wrk-$1.txt"
	c1="$(cpu_ticks "$4")"
	awk -v d=$((c1 - c0)) -v t="$TICK" '/ requests in /{n=$1} END{printf "%.0f\n", (n>0 ? d/t/n*1e6 : 0)}' "$W/wrk-$1.txt" >"$W/cpu-$1.txt"
	echo "server CPU: $(cat "$W/cpu-$1.txt") µs per request"
}
rps() { awk '/^Requests\/sec:/{print $2}' "$W/wrk-$1.txt"; }
non2xx() { awk '/Non-2xx or 3xx responses:/{n=$5} END{print n+0}' "$W/wrk-$1.txt"; }
sockerr() { awk '/Socket errors:/{gsub(",","");print $4+$6+$8+$10; f=1} END{if(!f)print 0}' "$W/wrk-$1.txt"; }

if [ "$MICRO" = 1 ]; then
	say "Go micro-benchmarks (go test -run '^\$' -bench . -benchmem ./collector/...; the store's against the bench's ClickHouse)"
	ASHIATO_TEST_CLICKHOUSE_DSN="clickhouse://127.0.0.1:$CH_PORT/ashiato_micro" \
		go test -run '^$' -bench . -benchmem -benchtime "${ASHIATO_BENCH_TIME:-300ms}" ./collector/... | tee "$W/micro.txt"
fi

say "the spool's disk: one group commit (12 KiB write + fdatasync), 2,000 times, with the CPUs idle, then with a busy loop per CPU (loadgen fsync)"
mkdir -p "$W/fsync"
"$LG" fsync -dir "$W/fsync" -n 2000 | tee "$W/fsync-idle.json"
"$LG" fsync -dir "$W/fsync" -n 2000 -busy "$(nproc)" | tee "$W/fsync-busy.json"
fsync_note() { echo "p50 $("$LG" get "$1" latency_ms.p50) ms, p99 $("$LG" get "$1" latency_ms.p99) ms, $("$LG" get "$1" cpu_us_per_op | cut -d. -f1) µs CPU"; }
FSYNC_NOTE="CPUs idle: $(fsync_note "$W/fsync-idle.json"); CPUs busy: $(fsync_note "$W/fsync-busy.json")"
echo "one group commit: $FSYNC_NOTE"

say "servers"
"$W/barefiber" --listen 127.0.0.1:0 2>"$W/barefiber.log" &
BPID=$!
PIDS+=("$BPID")
BADDR="$(wait_listening "$W/barefiber.log" "$BPID")"
start_collector load
LPID="$CPID"
# The durable floor (cmd/barefiber/floor.go): bare Fiber that answers only
# once a record is in the collector's spool, whose writer inserts a row per
# hit into its own database on the same ClickHouse.
FDSN="clickhouse://127.0.0.1:$CH_PORT/ashiato_floor"
ch "DROP DATABASE IF EXISTS ashiato_floor" >/dev/null
"$W/ashiato" migrate --clickhouse-dsn "$FDSN" >"$W/migrate-floor.log" 2>&1 || { cat "$W/migrate-floor.log"; die "migrate failed"; }
"$W/barefiber" --listen 127.0.0.1:0 --spool-dir "$W/data-floor" --clickhouse-dsn "$FDSN" 2>"$W/floor.log" &
FPID=$!
PIDS+=("$FPID")
FADDR="$(wait_listening "$W/floor.log" "$FPID")"
echo "bare Fiber on $BADDR (pid $BPID), ashiato on $CADDR (pid $LPID), durable floor on $FADDR (pid $FPID)"
BURL="http://$BADDR/api/event"
AURL="http://$CADDR/api/event"
FURL="http://$FADDR/api/event"

say "throughput: wrk -t2 -c$CONNS, bare Fiber, ashiato and the durable floor in turn (B A F B A F) after a warm-up"
# Warm-up: every corpus UA once (so that the parse cache holds the corpus,
# as in steady state, and the never-seen share is the configured one), then
# 3 s of wrk.
for s in bare ashiato; do
	if [ "$s" = bare ]; then u="$BURL" p="$BPID"; else u="$AURL" p="$LPID"; fi
	# Three passes: UAs that found the collector's parse queue (1,024) full are
	# parsed on a later pass (the /debug/enrich counters show 3 are enough for 14,048).
	for pass in 1 2 3; do
		"$LG" fill -url "$u" -uas "$W/uas.txt" -each-ua -conns "$CONNS" >"$W/warm-ua-$s.json"
		echo "warm-up $s, pass $pass: $("$LG" get "$W/warm-ua-$s.json" requests) requests, one per corpus UA, in $("$LG" get "$W/warm-ua-$s.json" seconds | cut -c1-5) s"
	done
	wrk_run "warm-$s" "$u" 3 "$p" >/dev/null
done
wrk_run warm-floor "$FURL" 3 "$FPID" >/dev/null # it parses nothing, so it needs no UA warm-up
m0="$(curl -fsS "http://$MADDR/metrics")"
wrk_run bare-1 "$BURL" "$SECS" "$BPID"
wrk_run ashiato-1 "$AURL" "$SECS" "$LPID"
wrk_run floor-1 "$FURL" "$SECS" "$FPID"
wrk_run bare-2 "$BURL" "$SECS" "$BPID"
wrk_run ashiato-2 "$AURL" "$SECS" "$LPID"
m1="$(curl -fsS "http://$MADDR/metrics")"
wrk_run floor-2 "$FURL" "$SECS" "$FPID"
B_RPS="$(awk -v a="$(rps bare-1)" -v b="$(rps bare-2)" 'BEGIN{printf "%.0f", (a+b)/2}')"
A_RPS="$(awk -v a="$(rps ashiato-1)" -v b="$(rps ashiato-2)" 'BEGIN{printf "%.0f", (a+b)/2}')"
F_RPS="$(awk -v a="$(rps floor-1)" -v b="$(rps floor-2)" 'BEGIN{printf "%.0f", (a+b)/2}')"
F_CPU="$(awk '{s+=$1} END{printf "%.0f", s/NR}' "$W/cpu-floor-1.txt" "$W/cpu-floor-2.txt")"
A_ERR=$(($(non2xx ashiato-1) + $(non2xx ashiato-2) + $(sockerr ashiato-1) + $(sockerr ashiato-2)))
B_ERR=$(($(non2xx bare-1) + $(non2xx bare-2) + $(sockerr bare-1) + $(sockerr bare-2)))
A_CPU="$(awk '{s+=$1} END{printf "%.0f", s/NR}' "$W/cpu-ashiato-1.txt" "$W/cpu-ashiato-2.txt")"
B_CPU="$(awk '{s+=$1} END{printf "%.0f", s/NR}' "$W/cpu-bare-1.txt" "$W/cpu-bare-2.txt")"
# The spool's group commit over the two ashiato runs, from its metrics.
metric() { awk -v k="$1" '$1==k{print $2}'; }
SPOOL_NOTE="$(awk -v fs0="$(metric ashiato_spool_fsync_seconds_sum <<<"$m0")" -v fs1="$(metric ashiato_spool_fsync_seconds_sum <<<"$m1")" \
	-v fc0="$(metric ashiato_spool_fsync_seconds_count <<<"$m0")" -v fc1="$(metric ashiato_spool_fsync_seconds_count <<<"$m1")" \
	-v gr0="$(metric ashiato_spool_group_commit_records_sum <<<"$m0")" -v gr1="$(metric ashiato_spool_group_commit_records_sum <<<"$m1")" \
	-v gc0="$(metric ashiato_spool_group_commit_records_count <<<"$m0")" -v gc1="$(metric ashiato_spool_group_commit_records_count <<<"$m1")" \
	'BEGIN{ if (fc1>fc0 && gc1>gc0) printf "%d fdatasyncs, mean %.2f ms, %.1f records per group commit", fc1-fc0, (fs1-fs0)/(fc1-fc0)*1000, (gr1-gr0)/(gc1-gc0); else print "no spool metrics" }')"
echo "bare Fiber $B_RPS req/s (errors $B_ERR, $B_CPU µs CPU/request), ashiato $A_RPS req/s (non-202 or socket errors $A_ERR, $A_CPU µs CPU/request)"
echo "spool during the ashiato runs: $SPOOL_NOTE"


HALF="$(awk -v a="$A_RPS" 'BEGIN{h=a/2; printf "%.0f", (h<1 ? 1 : h)}')"
say "latency at half of ashiato's throughput: $HALF req/s open loop (loadgen, coordinated-omission corrected, $CONNS connections growing up to 1000 when all are busy), 15 s after 2 s warm-up, $ROUNDS rounds of ashiato, bare Fiber and the durable floor; the table shows the median p99 of each"
A_OPEN_BAD=0
for r in $(seq 1 "$ROUNDS"); do
	echo "--- ashiato, round $r"
	"$LG" open -url "$AURL" -uas "$W/uas.txt" -new "$NEW_UA" -rate "$HALF" -conns "$CONNS" -duration 15s -warmup 2s | tee "$W/open-ashiato-$r.json"
	echo "--- bare Fiber, round $r"
	"$LG" open -url "$BURL" -uas "$W/uas.txt" -new "$NEW_UA" -rate "$HALF" -conns "$CONNS" -duration 15s -warmup 2s | tee "$W/open-bare-$r.json"
	echo "--- durable floor, round $r"
	"$LG" open -url "$FURL" -uas "$W/uas.txt" -new "$NEW_UA" -rate "$HALF" -conns "$CONNS" -duration 15s -warmup 2s | tee "$W/open-floor-$r.json"
	A_OPEN_BAD=$((A_OPEN_BAD + $("$LG" get "$W/open-ashiato-$r.json" sent) - $("$LG" get "$W/open-ashiato-$r.json" statuses.202)))
done
# p99s NAME: the p99 of every round, in round order; median: of its arguments.
p99s() { for r in $(seq 1 "$ROUNDS"); do "$LG" get "$W/open-$1-$r.json" latency_ms.p99; done | paste -sd' '; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END{printf "%s", (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
A_P99S="$(p99s ashiato)" B_P99S="$(p99s bare)" F_P99S="$(p99s floor)"
# shellcheck disable=SC2086 # word splitting wanted
A_P99="$(median $A_P99S)" B_P99="$(median $B_P99S)" F_P99="$(median $F_P99S)"
OPEN_NOTE="p99 per round: ashiato $A_P99S ms, bare Fiber $B_P99S ms, durable floor $F_P99S ms; last round: ashiato p50 $("$LG" get "$W/open-ashiato-$ROUNDS.json" latency_ms.p50) ms, $("$LG" get "$W/open-ashiato-$ROUNDS.json" conns) connections, bare Fiber p50 $("$LG" get "$W/open-bare-$ROUNDS.json" latency_ms.p50) ms, $("$LG" get "$W/open-bare-$ROUNDS.json" conns) connections"
echo "open loop: $OPEN_NOTE"

C_RPS="" C_NOTE="skipped (ASHIATO_BENCH_CONSENT_N=0)"
if [ "$CONSENT_N" -gt 0 ]; then
	CURL="http://$CADDR/api/consent"
	say "consent decisions: POST /api/consent of new visitors (half accept all, 3 in 10 reject all, the rest custom; each on disk in the consent spool before its 200) beside POST /api/event, both closed loop by loadgen fill ($CONNS connections, $CONSENT_N requests a run, in turn twice), then open loop at half of each one's throughput ($ROUNDS rounds of 10 s)"
	for r in 1 2; do
		"$LG" fill -url "$AURL" -uas "$W/uas.txt" -new "$NEW_UA" -n "$CONSENT_N" -conns "$CONNS" >"$W/fill-hits-$r.json"
		"$LG" fill -consent -url "$CURL" -uas "$W/uas.txt" -new "$NEW_UA" -n "$CONSENT_N" -conns "$CONNS" >"$W/fill-consent-$r.json"
		echo "run $r: hits $("$LG" get "$W/fill-hits-$r.json" requests) in $("$LG" get "$W/fill-hits-$r.json" seconds | cut -c1-5) s, decisions $("$LG" get "$W/fill-consent-$r.json" requests) in $("$LG" get "$W/fill-consent-$r.json" seconds | cut -c1-5) s"
	done
	fill_rps() { for r in 1 2; do echo "$("$LG" get "$W/fill-$1-$r.json" requests) $("$LG" get "$W/fill-$1-$r.json" seconds)"; done | awk '{n+=$1; s+=$2} END{printf "%.0f", n/s}'; }
	H_RPS="$(fill_rps hits)" C_RPS="$(fill_rps consent)"
	C_BAD=0
	for r in 1 2; do C_BAD=$((C_BAD + $("$LG" get "$W/fill-consent-$r.json" requests) - $("$LG" get "$W/fill-consent-$r.json" statuses.200))); done
	H_HALF="$(awk -v a="$H_RPS" 'BEGIN{printf "%.0f", (a/2<1 ? 1 : a/2)}')" C_HALF="$(awk -v a="$C_RPS" 'BEGIN{printf "%.0f", (a/2<1 ? 1 : a/2)}')"
	for r in $(seq 1 "$ROUNDS"); do
		"$LG" open -url "$AURL" -uas "$W/uas.txt" -new "$NEW_UA" -rate "$H_HALF" -conns "$CONNS" -duration 10s -warmup 2s >"$W/open-chits-$r.json"
		"$LG" open -consent -url "$CURL" -uas "$W/uas.txt" -new "$NEW_UA" -rate "$C_HALF" -conns "$CONNS" -duration 10s -warmup 2s >"$W/open-consent-$r.json"
		C_BAD=$((C_BAD + $("$LG" get "$W/open-consent-$r.json" sent) - $("$LG" get "$W/open-consent-$r.json" statuses.200)))
	done
	HC_P99S="$(p99s chits)" C_P99S="$(p99s consent)"
	# shellcheck disable=SC2086 # word splitting wanted
	HC_P99="$(median $HC_P99S)" C_P99="$(median $C_P99S)"
	C_NOTE="closed loop: decisions $C_RPS/s, hits $H_RPS/s (loadgen fill); open loop p99 per round: decisions at $C_HALF/s $C_P99S ms, hits at $H_HALF/s $HC_P99S ms; $C_BAD decisions not answered 200"
	echo "consent: $C_NOTE"
fi

A_HWM="$(hwm_kib "$LPID")"
B_HWM="$(hwm_kib "$BPID")"
echo "peak RSS (VmHWM): ashiato $A_HWM KiB, bare Fiber $B_HWM KiB"
stop_pid "$LPID"
stop_pid "$BPID"
stop_pid "$FPID"

if [ "$PROFILE" = 1 ]; then
	say "profile: ashiato serve --debug-listen (Go pprof and the UA counters) under wrk load"
	go build -trimpath -o "$W/ashiato-prof" ./cmd/ashiato
	mkdir -p "$W/data-prof"
	DEBUG_ADDR="127.0.0.1:${ASHIATO_BENCH_DEBUG_PORT:-19190}"
	"$W/ashiato-prof" serve --listen 127.0.0.1:0 --debug-listen "$DEBUG_ADDR" --clickhouse-dsn "$DSN" \
		--data-dir "$W/data-prof" --rate-per-ip 0 --spool-max-bytes $((4 << 30)) 2>"$W/prof.log" &
	PRPID=$!
	PIDS+=("$PRPID")
	PADDR="$(wait_listening "$W/prof.log" "$PRPID")"
	for pass in 1 2 3; do "$LG" fill -url "http://$PADDR/api/event" -uas "$W/uas.txt" -each-ua -conns "$CONNS" >/dev/null; done
	wrk -t2 -c"$CONNS" -d3s -s deploy/bench/event.lua "http://$PADDR/api/event" >/dev/null
	curl -fsS -o "$W/allocs0.pb.gz" "http://$DEBUG_ADDR/debug/pprof/allocs"
	curl -fsS -o "$W/enrich0.json" "http://$DEBUG_ADDR/debug/enrich"
	wrk -t2 -c"$CONNS" -d"$SECS"s -s deploy/bench/event.lua "http://$PADDR/api/event" >"$W/wrk-prof.txt" &
	WRK=$!
	sleep 1
	curl -fsS -o "$W/cpu.pb.gz" "http://$DEBUG_ADDR/debug/pprof/profile?seconds=$((SECS - 2))"
	wait "$WRK"
	curl -fsS -o "$W/allocs1.pb.gz" "http://$DEBUG_ADDR/debug/pprof/allocs"
	curl -fsS -o "$W/enrich1.json" "http://$DEBUG_ADDR/debug/enrich"
	grep -E 'requests in|Requests/sec|new_ua_share' "$W/wrk-prof.txt"
	pn=$(("$("$LG" get "$W/enrich1.json" UAParsed)" - "$("$LG" get "$W/enrich0.json" UAParsed)"))
	pd=$(("$("$LG" get "$W/enrich1.json" UADropped)" - "$("$LG" get "$W/enrich0.json" UADropped)"))
	pt=$(("$("$LG" get "$W/enrich1.json" UAParseTime)" - "$("$LG" get "$W/enrich0.json" UAParseTime)"))
	echo "UA parses during the run: $pn ($((pn > 0 ? pt / pn / 1000 : 0)) µs each), $pd parsed in place (parse queue full)"
	echo "--- CPU, flat"
	go tool pprof -top -nodecount=30 "$W/ashiato-prof" "$W/cpu.pb.gz" 2>/dev/null | tail -n +5
	echo "--- CPU, cumulative"
	go tool pprof -top -cum -nodecount=40 "$W/ashiato-prof" "$W/cpu.pb.gz" 2>/dev/null | tail -n +6
	echo "--- allocations during the run (objects), flat"
	go tool pprof -top -nodecount=30 -sample_index=alloc_objects -base "$W/allocs0.pb.gz" "$W/ashiato-prof" "$W/allocs1.pb.gz" 2>/dev/null | tail -n +5
	echo "--- allocations during the run (bytes), flat"
	go tool pprof -top -nodecount=20 -sample_index=alloc_space -base "$W/allocs0.pb.gz" "$W/ashiato-prof" "$W/allocs1.pb.gz" 2>/dev/null | tail -n +5
	echo "(profiles: go tool pprof -http : $W/ashiato-prof $W/cpu.pb.gz)"
	stop_pid "$PRPID"
fi

DRAIN_RATE="" FILL_RPS="" DRAIN_NOTE="skipped (ASHIATO_BENCH_DRAIN=0)" D_HWM=0
if [ "$DRAIN" = 1 ]; then
	say "drain: $DRAIN_N events ($DRAIN_BATCH per request) spooled while ClickHouse is down, then timed into ClickHouse"
	start_collector drain
	DPID="$CPID"
	deploy/local/clickhouse.sh stop
	if deploy/local/clickhouse.sh status; then
		DRAIN_NOTE="skipped: the bench's ClickHouse server did not stop"
		echo "$DRAIN_NOTE"
	else
		"$LG" fill -url "http://$CADDR/api/event" -uas "$W/uas.txt" -new "$NEW_UA" -n $((DRAIN_N / DRAIN_BATCH)) \
			-batch "$DRAIN_BATCH" -conns "$CONNS" | tee "$W/fill.json"
		ACCEPTED="$("$LG" get "$W/fill.json" accepted)"
		FILL_RPS="$("$LG" get "$W/fill.json" events_per_s | awk '{printf "%.0f", $1}')"
		curl -fsS "http://$MADDR/metrics" | grep -E '^ashiato_spool_(bytes|records)' || true
		deploy/local/clickhouse.sh start
		t_up="$(date +%s.%N)"
		first_t="" first_n=0 n=0 t_end=""
		deadline=$(($(date +%s) + 300))
		while [ "$(date +%s)" -lt "$deadline" ]; do
			n="$(ch "SELECT count() FROM $DB.events" 2>/dev/null || echo 0)"
			now="$(date +%s.%N)"
			if [ -z "$first_t" ] && [ "$n" -gt 0 ]; then first_t="$now" first_n="$n"; echo "first rows: $n at +$(awk -v a="$now" -v b="$t_up" 'BEGIN{printf "%.2f", a-b}') s"; fi
			if [ "$n" -ge "$ACCEPTED" ]; then t_end="$now"; break; fi
			sleep 0.1
		done
		D_HWM="$(hwm_kib "$DPID")"
		if [ -z "$t_end" ]; then
			DRAIN_NOTE="FAILED: $n of $ACCEPTED rows after 300 s"
			echo "$DRAIN_NOTE"
		else
			uniq="$(ch "SELECT uniqExact(event_id) FROM $DB.events")"
			echo "all $ACCEPTED rows in at +$(awk -v a="$t_end" -v b="$t_up" 'BEGIN{printf "%.2f", a-b}') s after ClickHouse answered; count() $n, uniqExact(event_id) $uniq"
			# Steady rate: the rows after the first insert over the time they took;
			# when the backlog went in at once, the whole time since ClickHouse was up.
			DRAIN_RATE="$(awk -v n="$n" -v fn="$first_n" -v ft="$first_t" -v te="$t_end" -v tu="$t_up" \
				'BEGIN{ if (n-fn >= n/4 && te-ft > 0.05) printf "%.0f", (n-fn)/(te-ft); else printf "%.0f", n/(te-tu) }')"
			DRAIN_NOTE="$n rows: first insert +$(awk -v a="$first_t" -v b="$t_up" 'BEGIN{printf "%.1f", a-b}') s after ClickHouse answered (writer back-off), all in +$(awk -v a="$t_end" -v b="$t_up" 'BEGIN{printf "%.1f", a-b}') s"
			[ "$n" = "$uniq" ] && [ "$n" = "$ACCEPTED" ] || DRAIN_NOTE="$DRAIN_NOTE; WARNING: count $n, unique $uniq, accepted $ACCEPTED"
			echo "drain rate $DRAIN_RATE rows/s; $DRAIN_NOTE"
		fi
		stop_pid "$DPID"
	fi
fi

# ---------------------------------------------------------------- the table
pf() { awk -v ok="$1" 'BEGIN{print (ok ? "pass" : "FAIL")}'; }
A_MIB="$(awk -v k="$A_HWM" -v d="$D_HWM" 'BEGIN{m=(k>d?k:d); printf "%.0f", m/1024}')"
B_MIB="$(awk -v k="$B_HWM" 'BEGIN{printf "%.0f", k/1024}')"
tp_ratio="$(awk -v a="$A_RPS" -v b="$B_RPS" 'BEGIN{printf "%.2f", a/b}')"
f_ratio="$(awk -v a="$F_RPS" -v b="$B_RPS" 'BEGIN{printf "%.2f", a/b}')"
p99_ratio="$(awk -v a="$A_P99" -v b="$B_P99" 'BEGIN{printf "%.1f", (b>0 ? a/b : 0)}')"
rss_ratio="$(awk -v a="$A_MIB" -v b="$B_MIB" 'BEGIN{printf "%.1f", a/b}')"

if [ "${ASHIATO_BENCH_PRIVACY:-1}" = 1 ]; then
	# Issue 17: self-service lookup and erasure flood on 20 M generated rows.
	ASHIATO_BENCH_CH_PORT="$CH_PORT" deploy/local/bench-privacy.sh
fi
say "results ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average at end $(cut -d' ' -f1-3 /proc/loadavg))"
{
	printf '%-40s %14s %14s %8s %16s %s\n' "figure" "ashiato" "bare Fiber" "ratio" "target" "result"
	printf '%-40s %14s %14s %8s %16s %s\n' "throughput POST /api/event (req/s)" "$A_RPS" "$B_RPS" "$tp_ratio" "ratio >= 0.50" \
		"$(pf "$(awk -v r="$tp_ratio" -v e="$A_ERR" 'BEGIN{print (r>=0.5 && e==0)}')")$([ "$A_ERR" = 0 ] || echo " ($A_ERR non-202)")"
	printf '%-40s %14s %14s %8s %16s %s\n' "  durable floor (req/s)" "$F_RPS" "$B_RPS" "$f_ratio" "-" "(information: below)"
	printf '%-40s %14s %14s %8s %16s %s\n' "server CPU per request (µs, user+sys)" "$A_CPU" "$B_CPU" "$(awk -v a="$A_CPU" -v b="$B_CPU" 'BEGIN{printf "%.1f", (b>0 ? a/b : 0)}')" "-" "(information)"
	printf '%-40s %14s %14s %8s %16s %s\n' "p99 at $HALF req/s, median of $ROUNDS (ms)" "$A_P99" "$B_P99" "$p99_ratio" "<= 10 ms" \
		"$(pf "$(awk -v p="$A_P99" -v e="$A_OPEN_BAD" 'BEGIN{print (p<=10 && e==0)}')")$([ "$A_OPEN_BAD" = 0 ] || echo " ($A_OPEN_BAD non-202)")"
	printf '%-40s %14s %14s %8s %16s %s\n' "  durable floor, p99 (ms)" "$F_P99" "$B_P99" "$(awk -v a="$F_P99" -v b="$B_P99" 'BEGIN{printf "%.1f", (b>0 ? a/b : 0)}')" "-" "(information: below)"
	printf '%-40s %14s %14s %8s %16s %s\n' "peak RSS, VmHWM (MiB)" "$A_MIB" "$B_MIB" "$rss_ratio" "<= 256 MiB" \
		"$(pf "$(awk -v m="$A_MIB" 'BEGIN{print (m<=256)}')")"
	if [ -n "$C_RPS" ]; then
		c_ratio="$(awk -v a="$C_RPS" -v b="$H_RPS" 'BEGIN{printf "%.2f", a/b}')"
		cp_ratio="$(awk -v a="$C_P99" -v b="$HC_P99" 'BEGIN{printf "%.1f", (b>0 ? a/b : 0)}')"
		printf '%-40s %14s %14s %8s %16s %s\n' "consent decisions POST /api/consent (req/s)" "$C_RPS" "$H_RPS" "$c_ratio" "ratio >= 0.50" \
			"$(pf "$(awk -v r="$c_ratio" -v e="$C_BAD" 'BEGIN{print (r>=0.5 && e==0)}')") (vs POST /api/event, same tool)$([ "$C_BAD" = 0 ] || echo " ($C_BAD non-200)")"
		printf '%-40s %14s %14s %8s %16s %s\n' "  consent p99 at half load (ms)" "$C_P99" "$HC_P99" "$cp_ratio" "ratio <= 2.0" \
			"$(pf "$(awk -v r="$cp_ratio" 'BEGIN{print (r<=2)}')") (decisions at $C_HALF/s vs hits at $H_HALF/s)"
	fi
	if [ -n "$DRAIN_RATE" ]; then
		dr_ratio="$(awk -v d="$DRAIN_RATE" -v a="$A_RPS" 'BEGIN{printf "%.2f", d/a}')"
		printf '%-40s %14s %14s %8s %16s %s\n' "drain spool -> ClickHouse (rows/s)" "$DRAIN_RATE" "-" "${dr_ratio}x" ">= 3x ingest" \
			"$(pf "$(awk -v r="$dr_ratio" 'BEGIN{print (r>=3)}')") (vs ashiato req/s)"
	else
		printf '%-40s %14s %14s %8s %16s %s\n' "drain spool -> ClickHouse (rows/s)" "-" "-" "-" ">= 3x ingest" "$DRAIN_NOTE"
	fi
} | tee "$W/table.txt"
echo
echo "spool during the throughput runs: $SPOOL_NOTE"
echo "durable floor: bare Fiber that answers only once the hit is in the collector's spool, whose writer inserts one row per hit into ClickHouse (barefiber --spool-dir --clickhouse-dsn, no parsing, consent or enrichment): the most a collector that keeps the spool's promise and stores every hit in this ClickHouse reaches on this machine; $F_CPU µs CPU per request; ashiato / floor: throughput $(awk -v a="$A_RPS" -v f="$F_RPS" 'BEGIN{printf "%.2f", a/f}'), p99 $(awk -v a="$A_P99" -v f="$F_P99" 'BEGIN{printf "%.1f", (f>0 ? a/f : 0)}')"
echo "one group commit on the spool's disk (loadgen fsync): $FSYNC_NOTE"
echo "open loop at $HALF req/s: $OPEN_NOTE"
echo "consent decisions: $C_NOTE"
if [ "$D_HWM" -gt 0 ]; then
	echo "peak RSS: $((A_HWM / 1024)) MiB under load, $((D_HWM / 1024)) MiB while draining the backlog (the table shows the larger)"
fi
echo "never-seen UA share: $NEW_UA; ingest with ClickHouse down: ${FILL_RPS:--} events/s ($DRAIN_BATCH per request); drain: $DRAIN_NOTE"
echo "ratio = ashiato / bare Fiber (throughput, latency, RSS) or drain / ashiato throughput"
echo "logs and raw output: $W"

if [ "${ASHIATO_BENCH_REPORTS:-1}" = 1 ]; then
	# Report speed runs on the project-local ClickHouse (19000), where its
	# seeded databases are kept between runs, not on this script's own server.
	env -u ASHIATO_CH_DIR -u ASHIATO_CH_PORT -u ASHIATO_CH_HTTP_PORT -u ASHIATO_CH_INTERSERVER_PORT \
		deploy/local/bench-reports.sh
fi

if [ "${ASHIATO_BENCH_DASHBOARD:-1}" = 1 ]; then
	# The dashboard's first render in Chromium on the 30 most recent days of
	# the report bench's 10 M-event database (project-local ClickHouse);
	# dashboard/scripts/bench.mjs skips when that database is absent.
	say "dashboard first render"
	(cd dashboard && { [ -d node_modules ] || npm ci --no-audit --no-fund; } &&
		ASHIATO_BIN="$W/ashiato" ASHIATO_CH_HTTP="http://127.0.0.1:${ASHIATO_BENCH_REPORTS_HTTP_PORT:-18123}" node scripts/bench.mjs) ||
		echo "dashboard first render: failed"
fi
