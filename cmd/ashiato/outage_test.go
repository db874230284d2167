package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestOutage kills the ClickHouse server (a private one: the shared server
// stays up for the other packages) under load for several seconds and
// starts it again on the same data. Throughout, every hit is answered 202
// — no 5xx while the spool has room — the spool holds the events, and
// afterwards ClickHouse has every acknowledged event exactly once. The
// backlog is written in large batches: far fewer inserts than requests,
// and few parts per partition (no "too many parts").
func TestOutage(t *testing.T) {
	ch := startPrivateCH(t)
	dsn, st := ch.newDB(t)
	ts := startMain(t, dsn, st, t.TempDir())

	const workers = 4
	g := newLoadGen("outage", func() string { return ts.URL }, workers)
	g.retryEvery = 13
	g.pause = 2 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wait := g.run(ctx, workers, 200000)

	time.Sleep(2 * time.Second)
	ch.kill()
	before := g.sent.Load()
	time.Sleep(6 * time.Second)
	checkOutageReadiness(t, ts)
	during := g.sent.Load() - before
	held := ts.spool.Stats().Records
	errs, _ := metricValue(ts.URL, "ashiato_writer_insert_errors_total")
	ch.start(t)
	// Ready again once the writer's next try succeeds: within its longest
	// back-off (writer.retry_max, 10 s) after ClickHouse answers.
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		st, body, _ := ts.get(t, "/readyz/clickhouse", nil)
		if st == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("/readyz/clickhouse 15 s after ClickHouse came back: %d %s", st, body)
			break
		}
	}
	cancel()
	wait()
	t.Logf("%d requests during the outage; the spool held %d records at its end; %.0f failed inserts; load: %s",
		during, held, errs, g.summary())
	if during < 100 || held < 100 {
		t.Errorf("the outage did not hold events back: %d requests, %d records in the spool", during, held)
	}
	if errs == 0 {
		t.Error("no failed insert was counted during the outage")
	}

	g.mu.Lock()
	for status, n := range g.statuses {
		if status != 202 {
			t.Errorf("%d answers with status %d during the outage; want only 202 while the spool has room", n, status)
		}
	}
	if g.netErrs+g.unsent > 0 {
		// Only the requests cancelled when the load stopped may lack an answer.
		t.Logf("%d requests without an answer (cancelled at the end of the load)", g.netErrs+g.unsent)
	}
	g.mu.Unlock()
	g.checkContract(t)
	g.resendInDoubt(t, 30*time.Second)
	if n := g.resendAcked(100); n != 100 {
		t.Errorf("client retries of acknowledged events: %d of 100 answered 202", n)
	}

	acked := g.ackedSet()
	drained := func() bool { return ts.spool.Stats().Records == 0 }
	s := waitStored(t, st, len(acked), drained, 90*time.Second)
	checkExactlyOnce(t, s, acked, ts.Logs)

	// Parts: the writer batches, so parts stay few per partition, and
	// inserts are far fewer than requests.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel2()
	rows, err := st.Conn.Query(ctx2, "SELECT partition, count() FROM system.parts WHERE database = ? AND table = 'events' AND active GROUP BY partition", st.Dialect.DB)
	if err != nil {
		t.Fatal(err)
	}
	var maxParts uint64
	for rows.Next() {
		var p string
		var n uint64
		if err := rows.Scan(&p, &n); err != nil {
			t.Fatal(err)
		}
		maxParts = max(maxParts, n)
	}
	rows.Close()
	inserts, err := metricValue(ts.URL, "ashiato_writer_batch_rows_count")
	if err != nil {
		t.Fatal(err)
	}
	requests := g.sent.Load()
	t.Logf("%d requests, %.0f writer batches, at most %d active parts per partition", requests, inserts, maxParts)
	if maxParts >= 100 {
		t.Errorf("%d active parts in one partition: too many parts", maxParts)
	}
	if inserts == 0 || inserts*10 > float64(requests) {
		t.Errorf("%.0f writer batches for %d requests: inserts are not batched", inserts, requests)
	}
}

// checkOutageReadiness checks, with ClickHouse down, that the collector
// stays ready (its spool takes the hits) while its ClickHouse check and
// gauge say ClickHouse is down.
func checkOutageReadiness(t *testing.T, ts *testServer) {
	t.Helper()
	if st, body, _ := ts.get(t, "/readyz", nil); st != 200 {
		t.Errorf("/readyz with ClickHouse down: %d %s; want 200 (the spool takes the hits)", st, body)
	}
	st, body, h := ts.get(t, "/readyz/clickhouse", nil)
	if st != 503 || h.Get("Retry-After") == "" || !strings.Contains(body, `"clickhouse"`) {
		t.Errorf("/readyz/clickhouse with ClickHouse down: %d %s, want 503 naming the clickhouse check", st, body)
	}
	if up, err := metricValue(ts.URL, "ashiato_clickhouse_up"); err != nil || up != 0 {
		t.Errorf("ashiato_clickhouse_up with ClickHouse down = %v (%v), want 0", up, err)
	}
}
