#!/usr/bin/env bash
# clickhouse.sh — a project-local ClickHouse server for `make run` and `make test`.
#
#   deploy/local/clickhouse.sh start   install (as root, Debian/Ubuntu) if missing, start, wait until it answers
#   deploy/local/clickhouse.sh stop    stop the server this script started
#   deploy/local/clickhouse.sh status  exit 0 when it answers
#
# Data lives in $ASHIATO_CH_DIR (default .local/clickhouse in the repository);
# it listens on loopback only: native $ASHIATO_CH_PORT (19000), HTTP $ASHIATO_CH_HTTP_PORT (18123).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DIR="${ASHIATO_CH_DIR:-$ROOT/.local/clickhouse}"
PORT="${ASHIATO_CH_PORT:-19000}"
HTTP_PORT="${ASHIATO_CH_HTTP_PORT:-18123}"
INTER_PORT="${ASHIATO_CH_INTERSERVER_PORT:-19009}"
PIDFILE="$DIR/server.pid"

log() { echo "clickhouse.sh: $*" >&2; }

answers() {
	if command -v curl >/dev/null 2>&1; then
		curl -fsS --max-time 2 "http://127.0.0.1:$HTTP_PORT/ping" >/dev/null 2>&1
	else
		clickhouse-client --host 127.0.0.1 --port "$PORT" -q "SELECT 1" >/dev/null 2>&1
	fi
}

install() {
	if command -v clickhouse-server >/dev/null 2>&1 && command -v clickhouse-client >/dev/null 2>&1; then
		return 0
	fi
	if [ "$(id -u)" != 0 ]; then
		log "ClickHouse is not installed. Install it as root, then run this again:"
		log "  sudo apt-get update && sudo apt-get install -y clickhouse-server clickhouse-client"
		log "or point ASHIATO_CLICKHOUSE_DSN at a running ClickHouse server."
		exit 1
	fi
	log "installing Debian's clickhouse-server (apt-get)…"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q clickhouse-server clickhouse-client curl
}

start() {
	if answers; then
		log "already answering on 127.0.0.1:$PORT"
		return 0
	fi
	install
	mkdir -p "$DIR"/{data,tmp,user_files,format_schemas}
	# The package's users.xml with max_threads = the machine's cores: 18.16
	# counts physical cores with cpuid, which says 1 on these 2-core VMs, and
	# would run every query on one thread.
	awk -v n="$(nproc)" '!done && /<default>/ { print; print "            <max_threads>" n "</max_threads>"; done = 1; next } { print }' \
		/etc/clickhouse-server/users.xml >"$DIR/users.xml"
	# Loopback only, project-local folders; command-line overrides follow "--".
	nohup clickhouse-server --config-file=/etc/clickhouse-server/config.xml -- \
		--path="$DIR/data/" --tmp_path="$DIR/tmp/" --user_files_path="$DIR/user_files/" \
		--format_schema_path="$DIR/format_schemas/" --users_config="$DIR/users.xml" \
		--listen_host=127.0.0.1 \
		--tcp_port="$PORT" --http_port="$HTTP_PORT" --interserver_http_port="$INTER_PORT" \
		--logger.log="$DIR/server.log" --logger.errorlog="$DIR/server.err.log" \
		--logger.level=warning \
		>"$DIR/stdout.log" 2>&1 &
	echo $! >"$PIDFILE"
	for _ in $(seq 1 120); do
		if answers; then
			log "started (pid $(cat "$PIDFILE")) on 127.0.0.1:$PORT (HTTP $HTTP_PORT), data in $DIR"
			return 0
		fi
		if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
			log "server exited; last lines of its logs:"
			tail -n 20 "$DIR/stdout.log" "$DIR/server.err.log" 2>/dev/null >&2 || true
			exit 1
		fi
		sleep 0.5
	done
	log "server did not answer within 60 s"
	exit 1
}

stop() {
	if [ -f "$PIDFILE" ]; then
		pid="$(cat "$PIDFILE")"
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
		kill -9 "$pid" 2>/dev/null || true
		rm -f "$PIDFILE"
		log "stopped"
	fi
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) answers ;;
*) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
