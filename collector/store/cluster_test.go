package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/collector/store/chtest"
	"github.com/ashiato/ashiato/queries"
)

// openShards migrates a fresh database on the two-shard cluster of
// deploy/local/cluster.sh (without ZooKeeper every DDL runs on each node,
// not ON CLUSTER).
func openShards(t testing.TB, local bool) (*store.Store, []string) {
	t.Helper()
	st, _ := chtest.OpenCluster(t, chtest.ShardsCluster, store.Config{InsertLocal: local})
	return st, chtest.ClusterNodes(t)
}

// TestClusterSchema: on a cluster every table of the schema is a shard
// table <name>_local of the engine its migration names and a Distributed
// table <name> over it with the sharding key of queries.ShardingKeys; the
// materialized views read and write shard tables; a second migrate does
// nothing.
func TestClusterSchema(t *testing.T) {
	st, _ := openShards(t, false)
	ctx := context.Background()
	if applied, err := st.Migrate(ctx, quiet); err != nil || len(applied) != 0 {
		t.Fatalf("second migrate: %v %v", applied, err)
	}
	engines := map[string]string{}
	full := map[string]string{}
	rows, err := st.Conn.Query(ctx, "SELECT name, engine, engine_full FROM system.tables WHERE database = ?", st.Dialect.DB)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name, engine, eFull string
		if err := rows.Scan(&name, &engine, &eFull); err != nil {
			t.Fatal(err)
		}
		engines[name], full[name] = engine, eFull
	}
	rows.Close()
	for table, key := range queries.ShardingKeys {
		if e := engines[table+"_local"]; e == "" || e == "Distributed" {
			t.Errorf("%s_local: engine %q, want a MergeTree", table, e)
		}
		want := "Distributed(" + chtest.ShardsCluster + ", " + st.Dialect.DB + ", " + table + "_local, " + key + ")"
		if full[table] != want {
			t.Errorf("%s: %q, want %q", table, full[table], want)
		}
	}
	for _, mv := range []string{"event_subjects_mv", "consent_subjects_mv"} {
		var q string
		if err := st.Conn.QueryRow(ctx, "SELECT create_table_query FROM system.tables WHERE database = ? AND name = ?", st.Dialect.DB, mv).Scan(&q); err != nil {
			t.Fatal(err)
		}
		if !containsAll(q, "_subjects_local", "_local ") {
			t.Errorf("%s does not read and write shard tables: %s", mv, q)
		}
	}
}

// TestClusterInsertAndErase: events written through the Distributed
// table land on both shards (or, written into the node's shard, on the
// first) and are read back through it, their subjects indexed on their
// shard; a retried batch is not stored again; an erasure reaches the
// shard tables of every node.
func TestClusterInsertAndErase(t *testing.T) {
	for _, local := range []bool{false, true} {
		name := map[bool]string{false: "through Distributed", true: "into the local shard"}[local]
		t.Run(name, func(t *testing.T) {
			st, nodes := openShards(t, local)
			ctx := context.Background()
			var evs []collector.Event
			for i := range 40 {
				ev := sampleEvent("s")
				ev.VisitorID = []string{"v-erase", "v-keep"}[i%2]
				evs = append(evs, ev)
			}
			if n, err := st.InsertEventsOnce(ctx, evs); err != nil || n != 40 {
				t.Fatalf("insert: %d %v", n, err)
			}
			retry := append([]collector.Event(nil), evs...)
			for i := range retry {
				retry[i].MaybeStored = true
			}
			if n, err := st.InsertEventsOnce(ctx, retry); err != nil || n != 0 {
				t.Fatalf("retried insert wrote %d rows (%v), want 0", n, err)
			}
			if n := count(t, st, "1"); n != 40 {
				t.Fatalf("events through Distributed: %d, want 40", n)
			}
			db := st.Dialect.DB
			n1 := chtest.NodeCount(t, nodes[0], "SELECT count() FROM "+db+".events_local")
			n2 := chtest.NodeCount(t, nodes[1], "SELECT count() FROM "+db+".events_local")
			if n1+n2 != 40 || local && n2 != 0 || !local && (n1 == 0 || n2 == 0) {
				t.Fatalf("events_local: %d on node 1, %d on node 2", n1, n2)
			}
			if n := countTable(t, st, "event_subjects", "subject = 'v-erase'"); n != 20 {
				t.Fatalf("event_subjects of the subject: %d, want 20", n)
			}
			sub := store.Subject{Site: "s", Kind: store.KindVisitor, Key: "v-erase", Visitors: []string{"v-erase"}}
			for _, table := range []string{"events", "event_subjects"} {
				if err := st.DeleteSubjectsRows(ctx, table, []store.Subject{sub}, nil); err != nil {
					t.Fatal(err)
				}
				if err := st.WaitMutations(ctx, table); err != nil {
					t.Fatal(err)
				}
			}
			for _, n := range nodes {
				if c := chtest.NodeCount(t, n, "SELECT count() FROM "+db+".events_local WHERE visitor_id = 'v-erase'"); c != 0 {
					t.Errorf("events_local on %s still holds %d rows of the erased subject", n, c)
				}
				if c := chtest.NodeCount(t, n, "SELECT count() FROM "+db+".event_subjects_local WHERE subject = 'v-erase'"); c != 0 {
					t.Errorf("event_subjects_local on %s still holds %d rows of the erased subject", n, c)
				}
			}
			if n := count(t, st, "visitor_id = 'v-keep'"); n != 20 {
				t.Errorf("the other subject: %d rows through Distributed, want 20", n)
			}
		})
	}
}

func countTable(t testing.TB, st *store.Store, table, where string) uint64 {
	t.Helper()
	var n uint64
	if err := st.Conn.QueryRow(context.Background(), "SELECT count() FROM "+st.Dialect.DB+"."+table+" WHERE "+where).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// TestClusterNeedsGlobalProductMode: on the shared test server (Debian's
// ClickHouse 18.16, whose profile is the package's), a cluster store
// refuses to start with a reason that names the profile setting 18.x
// cannot take from a client; the predefined two-shard cluster works once
// the profile has it (TestClusterSchema, on deploy/local/cluster.sh).
func TestClusterNeedsGlobalProductMode(t *testing.T) {
	dsn, _ := chtest.DSN(t)
	ctx := context.Background()
	plain, err := store.Open(ctx, store.Config{DSN: dsn}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	defer plain.Conn.Exec(ctx, "DROP DATABASE IF EXISTS "+plain.Dialect.DB)
	var mode string
	if err := plain.Conn.QueryRow(ctx, "SELECT value FROM system.settings WHERE name = 'distributed_product_mode'").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, store.Config{DSN: dsn, Cluster: "test_cluster_two_shards_localhost"}, false)
	if plain.Version.Revision > 54429 || mode == "global" {
		if err != nil {
			t.Fatalf("open a cluster store on a server that takes the setting: %v", err)
		}
		st.Close()
		return
	}
	if err == nil || !strings.Contains(err.Error(), "distributed_product_mode") || !strings.Contains(err.Error(), "users.d/ashiato.xml") {
		t.Fatalf("open a cluster store on 18.x without the profile setting: %v, want an error naming distributed_product_mode and the profile file", err)
	}
}
