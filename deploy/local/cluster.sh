#!/usr/bin/env bash
# cluster.sh — a local ClickHouse cluster for the cluster tests: two
# clickhouse-server processes (Debian's package, as in clickhouse.sh) on
# loopback ports and, with --zookeeper, a ZooKeeper (Debian's package)
# that they replicate and run DDL ON CLUSTER through.
#
#   deploy/local/cluster.sh start [--zookeeper]   start (as root it installs what is missing)
#   deploy/local/cluster.sh stop                  stop everything this script started
#   deploy/local/cluster.sh stop-node N           stop server N (1 or 2)
#   deploy/local/cluster.sh start-node N          start server N again on its data
#   deploy/local/cluster.sh env                   print the variables the cluster tests read
#
# Both servers define two clusters (deploy/clickhouse-cluster/ has the
# operator's version of each file):
#   ashiato_shards    two shards: server 1 and server 2, no replicas
#   ashiato_replicas  one shard whose two replicas are server 1 and server 2 (needs --zookeeper)
# Server N listens on 127.0.0.1: native 1910N, HTTP 1810N, interserver 1920N;
# ZooKeeper on 127.0.0.1:$ASHIATO_ZK_PORT (12181). Data in $ASHIATO_CLUSTER_DIR
# (default .local/cluster in the repository), wiped by `start`.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DIR="${ASHIATO_CLUSTER_DIR:-$ROOT/.local/cluster}"
ZK_PORT="${ASHIATO_ZK_PORT:-12181}"

log() { echo "cluster.sh: $*" >&2; }
tcp_port() { echo $((19100 + $1)); }
http_port() { echo $((18100 + $1)); }

answers() { curl -fsS --max-time 2 "http://127.0.0.1:$(http_port "$1")/ping" >/dev/null 2>&1; }

install() {
	local missing=()
	command -v clickhouse-server >/dev/null 2>&1 || missing+=(clickhouse-server clickhouse-client)
	command -v curl >/dev/null 2>&1 || missing+=(curl)
	if [ "${1:-}" = zk ] && [ ! -f /usr/share/java/zookeeper.jar ]; then missing+=(zookeeper); fi
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		log "missing: ${missing[*]}; install as root: apt-get install -y ${missing[*]}"
		exit 1
	fi
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}

# node_config writes server N's config: the package's config.xml and
# users.xml, with config.d / users.d beside them.
node_config() {
	local n=$1 zk=$2 d="$DIR/node$1"
	mkdir -p "$d"/{data,tmp,user_files,format_schemas,config.d,users.d}
	cp /etc/clickhouse-server/config.xml /etc/clickhouse-server/users.xml "$d/"
	cp "$ROOT/deploy/clickhouse-cluster/users.d/ashiato.xml" "$d/users.d/"
	local r1="<replica><host>127.0.0.1</host><port>$(tcp_port 1)</port></replica>"
	local r2="<replica><host>127.0.0.1</host><port>$(tcp_port 2)</port></replica>"
	cat >"$d/config.d/cluster.xml" <<XML
<yandex>
    <remote_servers>
        <ashiato_shards>
            <shard>$r1</shard>
            <shard>$r2</shard>
        </ashiato_shards>
        <ashiato_replicas>
            <shard><internal_replication>true</internal_replication>$r1$r2</shard>
        </ashiato_replicas>
    </remote_servers>
    <macros><shard>01</shard><replica>node$n</replica></macros>
    <interserver_http_host>127.0.0.1</interserver_http_host>
    <!-- Ports here, not on the command line: a server finds itself among
         the cluster's hosts (is_local, the ON CLUSTER worker) by the
         tcp_port of its configuration. -->
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>$(tcp_port "$n")</tcp_port>
    <http_port>$(http_port "$n")</http_port>
    <interserver_http_port>$((19200 + n))</interserver_http_port>
</yandex>
XML
	if [ "$zk" = 1 ]; then
		cat >"$d/config.d/zookeeper.xml" <<XML
<yandex>
    <zookeeper><node><host>127.0.0.1</host><port>$ZK_PORT</port></node></zookeeper>
    <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
</yandex>
XML
	fi
}

start_node() {
	local n=$1 d="$DIR/node$1"
	if answers "$n"; then return 0; fi
	nohup clickhouse-server --config-file="$d/config.xml" -- \
		--path="$d/data/" --tmp_path="$d/tmp/" --user_files_path="$d/user_files/" \
		--format_schema_path="$d/format_schemas/" --users_config="$d/users.xml" \
		--logger.log="$d/server.log" --logger.errorlog="$d/server.err.log" --logger.level=warning \
		>>"$d/stdout.log" 2>&1 &
	echo $! >"$d/server.pid"
	for _ in $(seq 1 120); do
		if answers "$n"; then return 0; fi
		if ! kill -0 "$(cat "$d/server.pid")" 2>/dev/null; then
			log "server $n exited; last lines of its logs:"
			tail -n 20 "$d/stdout.log" "$d/server.err.log" 2>/dev/null >&2 || true
			exit 1
		fi
		sleep 0.5
	done
	log "server $n did not answer within 60 s"
	exit 1
}

stop_pid() {
	local pidfile=$1
	[ -f "$pidfile" ] || return 0
	local pid
	pid="$(cat "$pidfile")"
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$pidfile"
}

start_zk() {
	local d="$DIR/zk"
	mkdir -p "$d/data"
	cat >"$d/zoo.cfg" <<CFG
tickTime=2000
dataDir=$d/data
clientPort=$ZK_PORT
clientPortAddress=127.0.0.1
admin.enableServer=false
CFG
	nohup java -Xmx256m -cp "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar" \
		org.apache.zookeeper.server.ZooKeeperServerMain "$d/zoo.cfg" >"$d/zk.log" 2>&1 &
	echo $! >"$d/zk.pid"
	for _ in $(seq 1 60); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$ZK_PORT") 2>/dev/null; then return 0; fi
		sleep 0.5
	done
	log "ZooKeeper did not listen on $ZK_PORT within 30 s:"
	tail -n 20 "$d/zk.log" >&2
	exit 1
}

start() {
	local zk=0
	[ "${1:-}" = --zookeeper ] && zk=1
	install "$([ $zk = 1 ] && echo zk)"
	stop
	rm -rf "$DIR"
	mkdir -p "$DIR"
	[ $zk = 1 ] && start_zk
	for n in 1 2; do
		node_config "$n" "$zk"
		start_node "$n"
	done
	log "started: servers on 127.0.0.1:$(tcp_port 1) and :$(tcp_port 2)$([ $zk = 1 ] && echo ", ZooKeeper on :$ZK_PORT"), data in $DIR"
}

stop() {
	for n in 1 2; do stop_pid "$DIR/node$n/server.pid"; done
	stop_pid "$DIR/zk/zk.pid"
}

env_vars() {
	echo "ASHIATO_TEST_CLUSTER_NODES=127.0.0.1:$(tcp_port 1),127.0.0.1:$(tcp_port 2)"
	if [ -f "$DIR/node1/config.d/zookeeper.xml" ]; then echo "ASHIATO_TEST_CLUSTER_ZOOKEEPER=1"; fi
}

case "${1:-}" in
start) start "${2:-}" ;;
stop) stop ;;
start-node) start_node "${2:?node 1 or 2}" ;;
stop-node) stop_pid "$DIR/node${2:?node 1 or 2}/server.pid" ;;
env) env_vars ;;
*) echo "usage: $0 start [--zookeeper]|stop|start-node N|stop-node N|env" >&2; exit 2 ;;
esac
