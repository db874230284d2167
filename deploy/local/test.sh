#!/usr/bin/env bash
# test.sh — `make test`: installs and starts what the tests need, then runs
# every test: Go unit, integration (real ClickHouse) and end-to-end tests
# with the race detector, and the JS unit and browser tests (real Chromium,
# real collector, real ClickHouse).
#
#   deploy/local/test.sh          everything
#   deploy/local/test.sh go       Go tests only
#   deploy/local/test.sh js       JS tests only
#   deploy/local/test.sh chdb     migrations and queries on current ClickHouse (chDB)
#   deploy/local/test.sh crash    the crash test only (ASHIATO_CRASH_CYCLES)
#   deploy/local/test.sh cluster  the cluster tests only (two shards; replicas with ZooKeeper)
#
# The Go tests include the cluster tests on two private servers of
# deploy/local/cluster.sh (two shards, no ZooKeeper); then, unless
# ASHIATO_TEST_REPLICATION=0, the cluster tests again with ZooKeeper
# (Debian's package): ON CLUSTER DDL and two replicas of one shard.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/usr/local/go/bin:$PATH"
what="${1:-all}"

deploy/local/deps.sh --browser
deploy/geo/install.sh # the default country database, which the Go tests use
deploy/local/clickhouse.sh start
export ASHIATO_TEST_CLICKHOUSE_DSN="clickhouse://127.0.0.1:${ASHIATO_CH_PORT:-19000}/ashiato_test"
export ASHIATO_CH_HTTP="http://127.0.0.1:${ASHIATO_CH_HTTP_PORT:-18123}"
export CI="${CI:-}"

make --no-print-directory build
export ASHIATO_BIN="$PWD/bin/ashiato"

run_go() {
	go vet ./...
	trap 'deploy/local/cluster.sh stop' EXIT
	deploy/local/cluster.sh start
	env $(deploy/local/cluster.sh env) go test -race -count=1 -timeout 30m ./...
	run_replication
	deploy/local/cluster.sh stop
}

# run_cluster runs the cluster tests on two shards without ZooKeeper, then
# (run_replication) with it.
run_cluster() {
	trap 'deploy/local/cluster.sh stop' EXIT
	deploy/local/cluster.sh start
	env $(deploy/local/cluster.sh env) go test -race -count=1 -timeout 20m -run 'TestCluster' ./cmd/ashiato/ ./collector/store/
	run_replication
	deploy/local/cluster.sh stop
}

run_replication() {
	if [ "${ASHIATO_TEST_REPLICATION:-1}" = 0 ]; then
		return 0
	fi
	deploy/local/cluster.sh start --zookeeper
	env $(deploy/local/cluster.sh env) go test -race -count=1 -timeout 20m -run 'TestCluster' ./cmd/ashiato/ ./collector/store/
}

run_crash() {
	go test -count=1 -timeout 60m -run 'TestCrash' ./cmd/ashiato/ -v
}

# run_chdb proves every migration and query on a current ClickHouse (chDB,
# in-process ClickHouse 26.x from the npm package @chdb/lib-linux-x64-gnu).
run_chdb() {
	local dir=.local/chdb
	if [ ! -f "$dir/package/libchdb.so" ]; then
		mkdir -p "$dir"
		(cd "$dir" && npm pack --silent @chdb/lib-linux-x64-gnu >/dev/null && tar xzf chdb-lib-linux-x64-gnu-*.tgz && rm -f chdb-lib-linux-x64-gnu-*.tgz)
	fi
	(cd queries/chdbcheck && CHDB_LIB_PATH="$PWD/../../$dir/package/libchdb.so" go test -count=1 ./...)
}

run_js() {
	for dir in sdk-js consent-banner dashboard preference-center; do
		(
			cd "$dir"
			[ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --no-audit --no-fund
			ASHIATO_CLICKHOUSE_DSN="clickhouse://127.0.0.1:${ASHIATO_CH_PORT:-19000}/ashiato_${dir//-/_}_test" npm test
		)
	done
}

case "$what" in
all) run_go; run_chdb; run_js ;;
chdb) run_chdb ;;
go) run_go ;;
js) run_js ;;
crash) run_crash ;;
cluster) run_cluster ;;
*) echo "usage: $0 [all|go|js|crash|cluster]" >&2; exit 2 ;;
esac
echo "test.sh: all tests passed"
