package main

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/admin"
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
}
