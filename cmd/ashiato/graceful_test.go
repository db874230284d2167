package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/store/chtest"
)

// TestGracefulStopUnderLoad sends SIGTERM to the collector in the middle of
// steady load: it must stop accepting, answer the requests in flight,
// flush what it can within its deadline and exit 0, with no acknowledged
// hit lost. Whatever it did not flush is in the spool (and it says so in
// its log); after a restart on the same data folder ClickHouse holds every
// acknowledged hit exactly once.
func TestGracefulStopUnderLoad(t *testing.T) {
	chtest.Require(t)
	dsn, _ := chtest.DSN(t)
	st := chtest.Open(t, dsn)
	bin := buildBinary(t)
	dataDir := t.TempDir()
	logs := &syncBuffer{}
	args := []string{"--listen", "127.0.0.1:0", "--clickhouse-dsn", dsn, "--data-dir", dataDir,
		"--batch-interval", "50ms", "--rate-per-ip", "0", "--metrics-token", testMetricsToken}
	p := startProc(t, bin, logs, args...)
	var base atomic.Value
	base.Store("http://" + p.Addr)
	url := func() string { return base.Load().(string) }

	const workers = 4
	g := newLoadGen("graceful", url, workers)
	g.arrayEvery = 5
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wait := g.run(ctx, workers, 50000)
	time.Sleep(1500 * time.Millisecond)
	before := len(g.ackedSet())
	t0 := time.Now()
	if err := p.stop(t); err != nil {
		t.Fatalf("SIGTERM under load: %v (want exit 0)\nlogs:\n%s", err, logs)
	}
	took := time.Since(t0)
	time.Sleep(200 * time.Millisecond) // the load meets a closed port
	cancel()
	wait()
	acked := g.ackedSet()
	if before < 200 {
		t.Fatalf("only %d hits acknowledged before SIGTERM: the load did not run; %s", before, g.summary())
	}
	if took > 20*time.Second {
		t.Errorf("the graceful stop took %s; its deadlines add up to 15 s", took)
	}
	if !strings.Contains(logs.String(), `"msg":"shutting down"`) {
		t.Errorf("no shutdown logged\nlogs:\n%s", logs)
	}

	// What the stop flushed: only acknowledged or in-doubt hits, once each;
	// if some are missing, the collector said it left records in the spool.
	s := queryStored(t, st)
	g.mu.Lock()
	for e, n := range s.eids {
		if !g.acked[e] && !g.inDoubt[e] || n > 1 {
			t.Errorf("after the stop: %s stored %d times (acknowledged %v)", e, n, g.acked[e])
		}
	}
	g.mu.Unlock()
	left := strings.Contains(logs.String(), "records left in the spool for the next start")
	if s.rows < uint64(len(acked)) && !left {
		t.Errorf("after the stop ClickHouse holds %d of %d acknowledged hits, and the collector did not say it left records in the spool", s.rows, len(acked))
	}
	t.Logf("SIGTERM after %d acknowledged hits; exit 0 in %s; ClickHouse then held %d of %d acknowledged hits (records left in the spool: %v); %s",
		before, took.Round(time.Millisecond), s.rows, len(acked), left, g.summary())

	p2 := startProc(t, bin, logs, args...)
	base.Store("http://" + p2.Addr)
	g.resendInDoubt(t, 60*time.Second)
	g.checkContract(t)
	acked = g.ackedSet()
	drained := func() bool {
		v, err := metricValue(url(), "ashiato_spool_records")
		return err == nil && v == 0
	}
	checkExactlyOnce(t, waitStored(t, st, len(acked), drained, 60*time.Second), acked, logs)
	if err := p2.stop(t); err != nil {
		t.Errorf("second graceful stop: %v", err)
	}
}

// TestSpoolDrain is the hand-over of a collector that is gone for good:
// hits acknowledged while ClickHouse was down sit in its spool when it
// stops (exit 0, records left); `ashiato spool drain --dir` then delivers
// them exactly once and exits 0, a second run finds nothing to do, and a
// spool that a running collector holds, or a missing shared secret, is
// refused with a clear message.
func TestSpoolDrain(t *testing.T) {
	ch := startPrivateCH(t)
	dsn, st := ch.newDB(t)
	bin := buildBinary(t)
	dataDir := t.TempDir()
	spoolDir := filepath.Join(dataDir, "spool")
	logs := &syncBuffer{}
	p := startProc(t, bin, logs, "--listen", "127.0.0.1:0", "--clickhouse-dsn", dsn, "--data-dir", dataDir,
		"--batch-interval", "50ms", "--rate-per-ip", "0", "--metrics-token", testMetricsToken)
	g := newLoadGen("drain", func() string { return "http://" + p.Addr }, 1)
	send := func(from, n int) {
		t.Helper()
		for i := from; i < from+n; i++ {
			if status, _ := g.send(context.Background(), []string{fmt.Sprintf("drain-%d", i)}, false, false); status != 202 {
				t.Fatalf("hit %d answered %d; %s", i, status, g.summary())
			}
		}
	}
	send(0, 100)
	waitStored(t, st, 100, func() bool { return true }, 30*time.Second)
	d := newDecider(t, func() string { return "http://" + p.Addr }, "demo")
	ch.kill()
	send(100, 300)
	// A decision acknowledged during the outage waits in the consent spool
	// inside the same folder: the drain delivers it too.
	decided, _ := d.decide("accept_all", []string{"analytics", "advertising"}, "")
	if decided == "" {
		t.Fatalf("a decision during the outage was not acknowledged: %v", d.statuses)
	}

	drain := func(extra ...string) (string, error) {
		args := append([]string{"spool", "drain", "--dir", spoolDir, "--clickhouse-dsn", dsn,
			"--secret-file", filepath.Join(dataDir, "secret"), "--timeout", "60s"}, extra...)
		cmd := exec.Command(bin, args...)
		cmd.Env = cleanEnv()
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := drain(); err == nil || !strings.Contains(out, "lock") {
		t.Errorf("drain of a spool a running collector holds: err %v, want a lock error\n%s", err, out)
	}
	if err := p.stop(t); err != nil {
		t.Fatalf("graceful stop while ClickHouse is down: %v (want exit 0)\nlogs:\n%s", err, logs)
	}
	if !strings.Contains(logs.String(), "records left in the spool for the next start") {
		t.Errorf("the collector stopped with ClickHouse down and did not say it left records in the spool\nlogs:\n%s", logs)
	}
	ch.start(t)
	if n := queryStored(t, st).rows; n != 100 {
		t.Fatalf("before the drain ClickHouse holds %d rows, want the 100 written before the outage", n)
	}

	missing := filepath.Join(t.TempDir(), "no-secret")
	if out, err := drain("--secret-file", missing); err == nil || !strings.Contains(out, "secret file") {
		t.Errorf("drain without the shared secret: err %v, want a refusal naming the secret file\n%s", err, out)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("drain generated a secret; it must use the deployment's")
	}
	out, err := drain()
	if err != nil || !strings.Contains(out, "nothing left") {
		t.Fatalf("spool drain: %v\n%s", err, out)
	}
	acked := g.ackedSet()
	checkExactlyOnce(t, queryStored(t, st), acked, logs)
	var decisions uint64
	if err := st.Conn.QueryRow(context.Background(), "SELECT count() FROM "+st.Dialect.DB+".consent_log WHERE consent_id = ?", decided).Scan(&decisions); err != nil || decisions != 1 {
		t.Errorf("the decision acknowledged during the outage is in consent_log %d times (%v), want once", decisions, err)
	}
	if out, err := drain(); err != nil || !strings.Contains(out, "nothing left") {
		t.Errorf("second drain of the empty spool: %v\n%s", err, out)
	}
	checkExactlyOnce(t, queryStored(t, st), acked, logs)
}
