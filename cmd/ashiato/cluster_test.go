package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/admin"
	"github.com/ashiato/ashiato/collector/privacy"
	"github.com/ashiato/ashiato/collector/stats"
	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/collector/store/chtest"
)

// newClusterEnv is a privEnv on a new database of the ClickHouse cluster
// of deploy/local/cluster.sh, migrated by `ashiato migrate
// --clickhouse-cluster cluster` as an operator would; flags go to every
// subcommand.
func newClusterEnv(t *testing.T, cluster string, flags ...string) *privEnv {
	t.Helper()
	dsn, _ := chtest.ClusterDSN(t)
	e := &privEnv{t: t, dsn: dsn, dataDir: t.TempDir(), logs: &syncBuffer{},
		extra: append([]string{"--clickhouse-cluster", cluster}, flags...)}
	e.writeConfig()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if code := run(ctx, append([]string{"migrate"}, e.args()...), &out, &errb); code != 0 {
		t.Fatalf("ashiato migrate --clickhouse-cluster %s: exit %d: %s", cluster, code, errb.String())
	}
	cfg := e.config()
	st, err := store.Open(ctx, cfg.Config, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.st = st
	return e
}

// TestClusterShards runs the whole path on two shards (two servers, no
// replicas): consent decisions and hits through the collector, a report
// from events and again from the visits rollup, an erasure. The hits
// land on both shards, every read sees both, and the erasure leaves no
// row of the subject on either node while the other visitor's rows stay.
func TestClusterShards(t *testing.T) {
	nodes := chtest.ClusterNodes(t)
	e := newClusterEnv(t, chtest.ShardsCluster)
	m := e.start(nil)
	db := e.st.Dialect.DB
	v := privDecide(t, m, "shop", "accept_all", nil, "")
	other := privDecide(t, m, "shop", "accept_all", nil, "")
	for i := range 10 {
		browserHit(t, m, v, fmt.Sprintf("/v%d", i))
		browserHit(t, m, other, fmt.Sprintf("/o%d", i))
	}
	e.waitCount(20, "SELECT count() FROM DB.events WHERE site_id = 'shop'")
	for _, n := range nodes {
		if c := chtest.NodeCount(t, n, "SELECT count() FROM "+db+".events_local"); c == 0 || c == 20 {
			t.Errorf("node %s holds %d of the 20 events: the hits are not spread over the shards", n, c)
		}
	}

	query := e.token(admin.ScopeQuery)
	report := func(label string) {
		t.Helper()
		var a stats.Answer
		day := time.Now().UTC().Format(time.DateOnly)
		st, body := privCall(t, m, "GET", "/admin/api/stats/overview?site=shop&from="+day+"&to="+day, query, nil, &a)
		if st != 200 || fmt.Sprint(a.Totals["pageviews"]) != "20" || fmt.Sprint(a.Totals["visitors"]) != "2" {
			t.Fatalf("overview %s: %d %s, want 20 pageviews of 2 visitors", label, st, body)
		}
	}
	report("from events")
	for range 2 { // the second build replaces the first: a partition drop on every shard
		if _, err := e.cli("rollup", "refresh"); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.count("SELECT uniqExact(version) FROM DB.visits WHERE site_id = 'shop'"); n != 1 {
		t.Errorf("the visits rollup holds %d builds of the day, want 1", n)
	}
	report("from the rollup")

	tok := e.token(admin.ScopePrivacy)
	var rec store.Receipt
	st, body := privCall(t, m, "POST", "/admin/api/privacy/erase", tok, map[string]string{"site": "shop", "visitor": v.vid}, &rec)
	if st != 200 || !rec.Verified || rec.Rows["events"] != 10 || rec.Rows["consent_log"] == 0 {
		t.Fatalf("erase: %d %s", st, body)
	}
	for _, n := range nodes {
		for _, table := range []string{"events_local", "visits_local"} {
			if c := chtest.NodeCount(t, n, "SELECT count() FROM "+db+"."+table+" WHERE visitor_id = ?", v.vid); c != 0 {
				t.Errorf("%s on %s: %d rows of the erased visitor", table, n, c)
			}
		}
		for _, table := range []string{"event_subjects_local", "consent_subjects_local"} {
			if c := chtest.NodeCount(t, n, "SELECT count() FROM "+db+"."+table+" WHERE subject = ?", v.vid); c != 0 {
				t.Errorf("%s on %s: %d rows of the erased visitor", table, n, c)
			}
		}
	}
	if n := e.count("SELECT count() FROM DB.consent_log WHERE consent_id = ? AND visitor_id LIKE 'erased:%'", v.consentID); n != 1 {
		t.Errorf("pseudonymised ledger rows of the erased visitor's consent: %d, want 1", n)
	}
	if n := e.count("SELECT count() FROM DB.events WHERE visitor_id = ?", other.vid); n != 10 {
		t.Errorf("the other visitor has %d events, want 10", n)
	}
	clusterRetention(t, e, m, nodes, other.vid)
}

// clusterRetention stores old events of shop (retention 30 days) on both
// shards, runs retention, and checks on every node that the whole old
// month is dropped, the 45-day-old rows deleted, the recent ones kept and
// the old days aggregated into daily_stats.
func clusterRetention(t *testing.T, e *privEnv, m *Main, nodes []string, recentVID string) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	var evs []collector.Event
	for _, ago := range []int{900, 45} {
		d := now.AddDate(0, 0, -ago)
		ts := time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, time.UTC)
		for range 10 {
			evs = append(evs, collector.Event{EventID: uuid.New(), SiteID: "shop", TS: ts, ReceivedAt: ts,
				Type: "pageview", URLHost: "shop.example", URLPath: "/old", VisitorID: uuid.NewString()})
		}
	}
	if err := e.st.InsertEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	oldMonth := now.AddDate(0, 0, -900).Format("200601")
	var rep privacy.RetentionReport
	if st, b := privCall(t, m, "POST", "/admin/api/retention/run", e.token(admin.ScopeAdmin), nil, &rep); st != 200 ||
		!strings.Contains(strings.Join(rep.Dropped["events"], ","), oldMonth) {
		t.Fatalf("retention run: %d %s, want partition %s of events dropped", st, b, oldMonth)
	}
	db := e.st.Dialect.DB
	for _, n := range nodes {
		if c := chtest.NodeCount(t, n, "SELECT count() FROM system.parts WHERE database = ? AND table = 'events_local' AND active AND partition = ?", db, oldMonth); c != 0 {
			t.Errorf("node %s still has %d parts of the dropped month", n, c)
		}
		if c := chtest.NodeCount(t, n, "SELECT count() FROM "+db+".events_local WHERE url_path = '/old'"); c != 0 {
			t.Errorf("node %s keeps %d events older than the site's retention", n, c)
		}
	}
	if n := e.count("SELECT count() FROM DB.events WHERE visitor_id = ?", recentVID); n != 10 {
		t.Errorf("retention deleted recent events: %d of 10 left", n)
	}
	if n := e.count("SELECT sum(pageviews) FROM DB.daily_stats WHERE site_id = 'shop' AND day < today() - 30"); n != 20 {
		t.Errorf("daily_stats of the old days: %d pageviews, want 20", n)
	}
}

// TestClusterReplicas: one shard whose two replicas are the two servers
// of deploy/local/cluster.sh started with --zookeeper (ZooKeeper from
// Debian's package). migrate --clickhouse-replicated creates
// Replicated*MergeTree tables ON CLUSTER; hits the collector writes
// through replica 1 are read on replica 2; replica 2 stopped while more
// hits arrive catches up once restarted; an erasure empties both.
// Gated: it runs when the cluster has ZooKeeper (deploy/local/test.sh
// unless ASHIATO_TEST_REPLICATION=0).
func TestClusterReplicas(t *testing.T) {
	nodes := chtest.ClusterNodes(t)
	if !chtest.ClusterZooKeeper() {
		t.Skip("the cluster of deploy/local/cluster.sh runs without ZooKeeper (start it with --zookeeper; deploy/local/test.sh does unless ASHIATO_TEST_REPLICATION=0)")
	}
	e := newClusterEnv(t, chtest.ReplicasCluster, "--clickhouse-replicated", "true")
	db := e.st.Dialect.DB
	for _, n := range nodes {
		if c := chtest.NodeCount(t, n, "SELECT count() FROM system.tables WHERE database = ? AND name = 'events_local' AND engine = 'ReplicatedReplacingMergeTree'", db); c != 1 {
			t.Fatalf("node %s has no ReplicatedReplacingMergeTree events_local", n)
		}
	}
	m := e.start(nil)
	v := privDecide(t, m, "shop", "accept_all", nil, "")
	onReplica := func(n string, want uint64, q string, args ...any) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		var c uint64
		for time.Now().Before(deadline) {
			if c = chtest.NodeCount(t, n, q, args...); c == want {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("on %s: %s = %d, want %d", n, q, c, want)
	}
	events := "SELECT count() FROM " + db + ".events_local WHERE visitor_id = ?"
	for i := range 5 {
		browserHit(t, m, v, fmt.Sprintf("/r%d", i))
	}
	onReplica(nodes[0], 5, events, v.vid)
	onReplica(nodes[1], 5, events, v.vid) // written on replica 1, read on replica 2

	clusterScript(t, "stop-node", "2")
	stopped := true
	t.Cleanup(func() {
		if stopped {
			clusterScript(t, "start-node", "2")
		}
	})
	for i := range 5 {
		browserHit(t, m, v, fmt.Sprintf("/while-down-%d", i))
	}
	onReplica(nodes[0], 10, events, v.vid)
	clusterScript(t, "start-node", "2")
	stopped = false
	onReplica(nodes[1], 10, events, v.vid) // the restarted replica caught up

	tok := e.token(admin.ScopePrivacy)
	var rec store.Receipt
	if st, body := privCall(t, m, "POST", "/admin/api/privacy/erase", tok, map[string]string{"site": "shop", "visitor": v.vid}, &rec); st != 200 || !rec.Verified {
		t.Fatalf("erase: %d %s", st, body)
	}
	for _, n := range nodes {
		onReplica(n, 0, events, v.vid)
	}
}

// clusterScript runs deploy/local/cluster.sh with args.
func clusterScript(t testing.TB, args ...string) {
	t.Helper()
	out, err := exec.Command("../../deploy/local/cluster.sh", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("cluster.sh %v: %v\n%s", args, err, out)
	}
}
