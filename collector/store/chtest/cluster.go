package chtest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/ashiato/ashiato/collector/store"
)

// Clusters defined by deploy/local/cluster.sh on both of its servers.
const (
	ShardsCluster   = "ashiato_shards"   // two shards, no replicas
	ReplicasCluster = "ashiato_replicas" // one shard, two replicas (ZooKeeper)
)

// ClusterNodes returns the native addresses of the servers of
// deploy/local/cluster.sh (ASHIATO_TEST_CLUSTER_NODES, which `make test`
// sets). When it is not set the test fails under CI and is skipped
// elsewhere.
func ClusterNodes(tb testing.TB) []string {
	tb.Helper()
	return strings.Split(requireEnv(tb, "ASHIATO_TEST_CLUSTER_NODES", "starts deploy/local/cluster.sh"), ",")
}

// ClusterZooKeeper reports whether the cluster of deploy/local/cluster.sh
// runs with ZooKeeper (started with --zookeeper).
func ClusterZooKeeper() bool { return os.Getenv("ASHIATO_TEST_CLUSTER_ZOOKEEPER") != "" }

// OpenCluster migrates a new database on every node of cluster (through
// the first node) and returns a store on it with cfg's other settings;
// the database is dropped on every node at cleanup. It returns the DSN.
func OpenCluster(tb testing.TB, cluster string, cfg store.Config) (*store.Store, string) {
	tb.Helper()
	cfg.DSN, _ = ClusterDSN(tb)
	cfg.Cluster = cluster
	return OpenConfig(tb, cfg), cfg.DSN
}

// ClusterDSN returns a DSN for a new database on the first node of the
// cluster of deploy/local/cluster.sh and that name; the database is
// dropped on every node at cleanup.
func ClusterDSN(tb testing.TB) (string, string) {
	tb.Helper()
	nodes := ClusterNodes(tb)
	_, db := DSN(tb)
	DropOnNodes(tb, db)
	return "clickhouse://" + nodes[0] + "/" + db, db
}

// DropOnNodes drops database db on every node of the cluster at cleanup.
func DropOnNodes(tb testing.TB, db string) {
	tb.Helper()
	nodes := ClusterNodes(tb)
	tb.Cleanup(func() {
		if os.Getenv("ASHIATO_TEST_KEEP_DB") != "" {
			return
		}
		for _, n := range nodes {
			NodeExec(tb, n, "DROP DATABASE IF EXISTS "+db)
		}
	})
}

// NodeConn connects to one node (database default); closed at cleanup.
func NodeConn(tb testing.TB, addr string) clickhouse.Conn {
	tb.Helper()
	c, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}, DialTimeout: 5 * time.Second})
	if err != nil {
		tb.Fatalf("connect to %s: %v", addr, err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// NodeExec runs q on one node.
func NodeExec(tb testing.TB, addr, q string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := NodeConn(tb, addr).Exec(ctx, q); err != nil {
		tb.Errorf("%s on %s: %v", q, addr, err)
	}
}

// NodeCount runs a count query on one node.
func NodeCount(tb testing.TB, addr, q string, args ...any) uint64 {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var n uint64
	if err := NodeConn(tb, addr).QueryRow(ctx, q, args...).Scan(&n); err != nil {
		tb.Fatalf("%s on %s: %v", q, addr, err)
	}
	return n
}
