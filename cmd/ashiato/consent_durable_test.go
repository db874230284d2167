package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/consent"
	"github.com/ashiato/ashiato/collector/store"
)

// waitLedger polls until consent_log has want rows WHERE where, failing
// after 30 s.
func waitLedger(t testing.TB, st *store.Store, want uint64, where string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var n uint64
	for {
		err := st.Conn.QueryRow(context.Background(), "SELECT count() FROM "+st.Dialect.DB+".consent_log WHERE "+where, args...).Scan(&n)
		if err == nil && n == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("consent_log WHERE %s: %d rows (err %v), want %d", where, n, err, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitLanded waits until every decision m recorded is in the ledger in
// ClickHouse and applied there (a withdrawal's unlinking).
func waitLanded(t testing.TB, m *Main) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for m.ledger.Records() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d consent decisions still in the spool after 30 s", m.ledger.Records())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// decider records decisions over HTTP from any goroutine, as browsers do,
// and keeps what was acknowledged.
type decider struct {
	base func() string
	site string
	cfg  struct {
		Revision  int
		TextsHash string `json:"texts_hash"`
	}
	mu        sync.Mutex
	acked     []string          // consent IDs answered 200
	revoked   []string          // consent IDs a decision answered 200 revoked (they bound no visitor ID)
	statuses  map[int]int       // answers by status
	netErrs   int               // requests without an answer (a killed collector)
	tokens    map[string]string // consent ID → token
	firstBody string            // of the first answer other than 200
}

func newDecider(t testing.TB, base func() string, site string) *decider {
	t.Helper()
	d := &decider{base: base, site: site, statuses: map[int]int{}, tokens: map[string]string{}}
	resp, err := http.Get(base() + "/api/consent/config?site=" + site)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&d.cfg); err != nil {
		t.Fatal(err)
	}
	return d
}

// decide posts one decision (prev: the visitor's token, "" for a new
// visitor) and returns the answer's consent ID and token ("" unless 200).
func (d *decider) decide(method string, granted []string, prev string) (string, string) {
	body, _ := json.Marshal(map[string]any{"site": d.site, "granted": granted, "method": method,
		"revision": d.cfg.Revision, "texts_hash": d.cfg.TextsHash, "lang": "ja"})
	req, _ := http.NewRequest("POST", d.base()+"/api/consent", bytes.NewReader(body))
	req.Header.Set("Content-Type", "text/plain")
	if prev != "" {
		req.Header.Set("Authorization", "Bearer "+prev)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.mu.Lock()
		d.netErrs++
		d.mu.Unlock()
		return "", ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var res struct {
		ConsentID string `json:"consent_id"`
		Token     string `json:"token"`
	}
	json.Unmarshal(b, &res)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.statuses[resp.StatusCode]++
	if resp.StatusCode != 200 {
		if d.firstBody == "" {
			d.firstBody = string(b)
		}
		return "", ""
	}
	d.acked = append(d.acked, res.ConsentID)
	d.tokens[res.ConsentID] = res.Token
	return res.ConsentID, res.Token
}

// visitors runs n visitors' decision sequences in workers goroutines until
// ctx ends: accept all then withdraw, reject all, advertising alone then a
// withdrawal (which revokes the first by its ID), custom then accept all.
func (d *decider) visitors(ctx context.Context, workers int) func() {
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				switch (w + i) % 4 {
				case 0:
					if _, tok := d.decide("accept_all", nil, ""); tok != "" {
						d.decide("withdraw", nil, tok)
					}
				case 1:
					d.decide("reject_all", nil, "")
				case 2:
					if id, tok := d.decide("custom", []string{"advertising"}, ""); tok != "" {
						if next, _ := d.decide("withdraw", nil, tok); next != "" {
							d.mu.Lock()
							d.revoked = append(d.revoked, id)
							d.mu.Unlock()
						}
					}
				case 3:
					if _, tok := d.decide("custom", []string{"analytics"}, ""); tok != "" {
						d.decide("accept_all", nil, tok)
					}
				}
			}
		}()
	}
	return wg.Wait
}

// checkLedgerOnce waits until the ledger holds every acknowledged decision
// and checks that it holds each exactly once, nothing else (but requests
// cut by a kill, which may have been on disk), and every revocation.
func (d *decider) checkLedgerOnce(t testing.TB, st *store.Store, drained func() bool) {
	t.Helper()
	d.mu.Lock()
	acked, revoked := append([]string(nil), d.acked...), append([]string(nil), d.revoked...)
	inDoubt := uint64(d.netErrs) // cut by a kill: may or may not be on disk
	d.mu.Unlock()
	deadline := time.Now().Add(90 * time.Second)
	for !drained() && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if !drained() {
		t.Fatal("the consent spool did not drain within 90 s")
	}
	db := st.Dialect.DB
	ctx := context.Background()
	var rows, ids uint64
	if err := st.Conn.QueryRow(ctx, "SELECT count(), uniqExact(consent_id) FROM "+db+".consent_log WHERE site_id = ?", d.site).Scan(&rows, &ids); err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	r, err := st.Conn.Query(ctx, "SELECT DISTINCT consent_id FROM "+db+".consent_log WHERE site_id = ?", d.site)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var id string
		if err := r.Scan(&id); err != nil {
			t.Fatal(err)
		}
		stored[id] = true
	}
	r.Close()
	missing := 0
	for _, id := range acked {
		if !stored[id] {
			missing++
		}
	}
	revokedSet := map[string]bool{}
	for _, id := range revoked {
		revokedSet[id] = true
	}
	t.Logf("consent_log: %d rows, %d consent IDs, %d decisions acknowledged, %d revocations", rows, ids, len(acked), len(revoked))
	if rows != ids || ids < uint64(len(acked)) || ids > uint64(len(acked))+inDoubt || missing > 0 {
		t.Errorf("consent_log: %d rows, %d consent IDs, %d of %d acknowledged decisions missing, %d requests in doubt: want each acknowledged one exactly once",
			rows, ids, missing, len(acked), inDoubt)
	}
	r, err = st.Conn.Query(ctx, "SELECT consent_id FROM "+db+".consent_revoked WHERE site_id = ?", d.site)
	if err != nil {
		t.Fatal(err)
	}
	rows = 0
	for r.Next() {
		var id string
		if err := r.Scan(&id); err != nil {
			t.Fatal(err)
		}
		rows++
		delete(revokedSet, id)
	}
	r.Close()
	if rows < uint64(len(revoked)) || len(revokedSet) > 0 {
		t.Errorf("consent_revoked: %d rows; %d of %d acknowledged revocations missing", rows, len(revokedSet), len(revoked))
	}
}

// TestConsentOutage stops ClickHouse (a private server) while visitors
// decide: every decision is answered 200 with a token that counts at once
// (GET /api/consent) while the one it replaced stops counting, the
// decisions wait in the consent spool, and once ClickHouse is back each
// lands in consent_log exactly once. Then, with ClickHouse down again,
// decisions are left in the spool across a restart of the collector: the
// restarted collector knows them before it answers (a withdrawn token does
// not count again), and stores each once.
func TestConsentOutage(t *testing.T) {
	ch := startPrivateCH(t)
	dsn, st := ch.newDB(t)
	dataDir := t.TempDir()
	ts := startMain(t, dsn, st, dataDir)
	d := newDecider(t, func() string { return ts.URL }, "demo")

	ch.kill()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	wait := d.visitors(ctx, 4)
	// Meanwhile: a decision counts at once, the one it replaced does not.
	time.Sleep(500 * time.Millisecond)
	_, tok := d.decide("accept_all", nil, "")
	if st, _, _ := ts.get(t, "/api/consent?site=demo", map[string]string{"Authorization": "Bearer " + tok}); st != 200 {
		t.Errorf("GET /api/consent with a token recorded during the outage: %d, want 200", st)
	}
	d.decide("reject_all", nil, tok)
	if st, _, _ := ts.get(t, "/api/consent?site=demo", map[string]string{"Authorization": "Bearer " + tok}); st != 404 {
		t.Errorf("GET /api/consent with a token superseded during the outage: %d, want 404", st)
	}
	wait()
	cancel()
	held := ts.ledger.Records()
	d.mu.Lock()
	t.Logf("during the outage: %v by status, %d decisions in the consent spool", d.statuses, held)
	if len(d.statuses) != 1 || d.statuses[200] < 100 {
		t.Errorf("answers during the outage: %v (first refusal %s); want only 200, at least 100", d.statuses, d.firstBody)
	}
	d.mu.Unlock()
	if held < 100 {
		t.Errorf("only %d decisions waited in the consent spool", held)
	}
	ch.start(t)
	d.checkLedgerOnce(t, st, func() bool { return ts.ledger.Records() == 0 })
	if v, _ := metricValue(ts.URL, "ashiato_consent_ledger_insert_errors_total"); v == 0 {
		t.Error("no failed consent ledger insert was counted during the outage")
	}
	if v, _ := metricValue(ts.URL, `ashiato_consent_decisions_total{method="withdraw"}`); v == 0 {
		t.Error("ashiato_consent_decisions_total{method=withdraw} is 0")
	}

	t.Run("restart with decisions in the spool", func(t *testing.T) {
		oldID, old := d.decide("accept_all", nil, "")
		waitLedger(t, st, 1, "consent_id = ?", oldID)
		ch.kill()
		newID, _ := d.decide("withdraw", nil, old)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		d.visitors(ctx, 2)()
		cancel()
		held := ts.ledger.Records()
		ts.Close() // with ClickHouse down, the decisions stay in the spool
		ch.start(t)
		again := startMain(t, dsn, st, dataDir)
		g := verify(t, again.Main, old)
		if s := again.gate.Standing(&again.Config.Sites[0], g, time.Now()); s != consent.Superseded {
			t.Errorf("after the restart, a token withdrawn before it (decision %s still in the spool) is %v", newID, s)
		}
		t.Logf("%d decisions in the spool at the restart", held)
		if held == 0 {
			t.Fatal("nothing was left in the spool")
		}
		d.checkLedgerOnce(t, st, func() bool { return again.ledger.Records() == 0 })
	})
}

// TestConsentInFlight holds a decision in flight (the ledger writes at
// most once per batch interval, 10 s here) and checks what must see it at
// once: the visitor's own consent history; an erasure of the visitor made
// while the decision is in flight is not undone when it lands (the row is
// stored pseudonymised); and a withdrawal stops the identity join at once.
func TestConsentInFlight(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(func(m *Main) { m.Config.Writer.Interval, m.Config.Writer.MinInterval = 10*time.Second, 10*time.Second })
	a := privDecide(t, m, "shop", "accept_all", nil, "")
	e.waitCount(1, "SELECT count() FROM DB.consent_log WHERE consent_id = ?", a.consentID) // the writer now waits 10 s

	if st, b := a.identify(t, m, "alice", nil); st != 202 {
		t.Fatalf("identify: %d %s", st, b)
	}
	b := privDecide(t, m, "shop", "custom", []string{"analytics"}, a.token) // no user-ID join any more
	if n := e.count("SELECT count() FROM DB.consent_log WHERE consent_id = ?", b.consentID); n != 0 {
		t.Fatalf("the second decision is in ClickHouse already: the test cannot hold it in flight")
	}
	if p := m.ledger.Pending("shop", b.vid); len(p) != 1 || p[0].ConsentID != b.consentID {
		t.Fatalf("in flight for the visitor: %+v", p)
	}
	st, body := selfService(t, m, b.token)
	if st != 200 || !strings.Contains(string(body), b.consentID) || !strings.Contains(string(body), a.consentID) {
		t.Fatalf("self-service while the decision is in flight: %d %s; want both decisions", st, body)
	}
	// The withdrawn join holds at once: a hit carries no user ID.
	b.hit(t, m, "/after-narrowing")
	e.waitCount(1, "SELECT count() FROM DB.events WHERE url_path = '/after-narrowing' AND visitor_id = ? AND user_id = ''", b.vid)

	// Erased while in flight: the row lands pseudonymised, the erasure holds.
	if st, body := privCall(t, m, "POST", "/api/privacy/me/erase", "", map[string]string{"site": "shop", "consent": b.token}, nil); st != 202 {
		t.Fatalf("erase: %d %s", st, body)
	}
	e.waitCount(1, "SELECT count() FROM DB.consent_log WHERE consent_id = ? AND visitor_id LIKE 'erased:%'", b.consentID)
	if n := e.count("SELECT count() FROM DB.consent_log WHERE visitor_id = ? OR user_id = ?", b.vid, b.vid); n != 0 {
		t.Errorf("%d ledger rows name the erased visitor after the in-flight decision landed", n)
	}
	if n := e.count("SELECT count() FROM DB.identities WHERE visitor_id = ? AND unlinked = 0", b.vid); n != 0 {
		t.Errorf("%d identity links of the visitor remain", n)
	}
}

// TestConsentCrash kills the collector with SIGKILL while visitors decide,
// a few times, and restarts it on the same data folder: every decision
// answered 200 is in consent_log exactly once afterwards.
func TestConsentCrash(t *testing.T) {
	dsn, st := newCrashDB(t)
	bin := buildBinary(t)
	dataDir := t.TempDir()
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	logs := &syncBuffer{}
	start := func() *collectorProc {
		return startProc(t, bin, logs, "--listen", addr, "--clickhouse-dsn", dsn, "--data-dir", dataDir,
			"--batch-interval", "50ms", "--rate-per-ip", "0", "--log-level", "info", "--metrics-token", testMetricsToken)
	}
	p := start()
	d := newDecider(t, func() string { return "http://" + addr }, "demo")
	for i := range 5 {
		ctx, cancel := context.WithCancel(context.Background())
		wait := d.visitors(ctx, 4)
		time.Sleep(time.Duration(200+150*i) * time.Millisecond)
		p.kill()
		cancel()
		wait()
		p = start()
	}
	d.mu.Lock()
	t.Logf("%v by status, %d without an answer (killed)", d.statuses, d.netErrs)
	for status, n := range d.statuses {
		if status != 200 {
			t.Errorf("%d answers with status %d (first: %s)", n, status, d.firstBody)
		}
	}
	d.mu.Unlock()
	drained := func() bool {
		v, err := metricValue("http://"+addr, "ashiato_consent_spool_records")
		return err == nil && v == 0
	}
	d.checkLedgerOnce(t, st, drained)
	if err := p.stop(t); err != nil {
		t.Errorf("graceful stop: %v", err)
	}
}

// newCrashDB is a fresh database on the shared server.
func newCrashDB(t *testing.T) (string, *store.Store) {
	t.Helper()
	e := newPrivEnv(t)
	os.Remove(filepath.Join(e.dataDir, "ashiato.yaml"))
	return e.dsn, e.st
}
