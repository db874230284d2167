package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/store/chtest"
)

// TestCrash kills the collector with SIGKILL at random moments under
// steady load — ASHIATO_CRASH_CYCLES times, 20 by default — and restarts it
// on the same data folder each time. After the last restart and the drain,
// ClickHouse holds every acknowledged event exactly once: count() =
// uniqExact(event_id) = the number of acknowledged events, every
// acknowledged eid is present, nothing else is. Client retries that reuse
// an eid, during the crashes and after them, add no rows.
//
// A request cut by a kill gets no answer, so its events may or may not be
// stored; the test resends those at the end, as a client would, and then
// expects exactly the acknowledged set.
func TestCrash(t *testing.T) {
	chtest.Require(t)
	cycles := 20
	if v := os.Getenv("ASHIATO_CRASH_CYCLES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("ASHIATO_CRASH_CYCLES=%q: want a positive number", v)
		}
		cycles = n
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("ASHIATO_CRASH_SEED"); v != "" {
		seed, _ = strconv.ParseUint(v, 10, 64)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	t.Logf("%d kill -9 cycles, seed %d (ASHIATO_CRASH_SEED repeats the kill moments)", cycles, seed)

	dsn, _ := chtest.DSN(t)
	st := chtest.Open(t, dsn)
	bin := buildBinary(t)
	dataDir := t.TempDir()
	// Small segments, so that rotations, segment removals and checkpoints
	// across segments happen between the kills too.
	cfgFile := writeFile(t, "ashiato.yaml", "spool:\n  segment_bytes: 1048576\n")
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	var base atomic.Value
	base.Store("http://" + addr)
	logs := &syncBuffer{}
	// start starts the collector on addr; if another process took the port
	// while the collector was down, on a new one.
	startCollector := func() *collectorProc {
		for try := 0; ; try++ {
			p, err := tryStartProc(t, bin, logs, "--listen", addr, "--clickhouse-dsn", dsn, "--data-dir", dataDir,
				"--config", cfgFile, "--batch-interval", "50ms", "--rate-per-ip", "0", "--log-level", "info", "--metrics-token", testMetricsToken)
			if err == nil {
				return p
			}
			if try < 3 && strings.Contains(err.Error(), "address already in use") {
				t.Logf("port of %s taken while the collector was down; moving", addr)
				addr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
				base.Store("http://" + addr)
				continue
			}
			t.Fatal(err)
		}
	}
	url := func() string { return base.Load().(string) }

	const workers = 6
	g := newLoadGen("crash", url, workers)
	g.arrayEvery = 7  // some requests carry 3 events in one append
	g.retryEvery = 11 // some requests resend an acknowledged eid
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wait func()
	start := time.Now()
	var early int
	var startup time.Duration
	for i := range cycles {
		t0 := time.Now()
		p := startCollector()
		startup += time.Since(t0)
		if i == 0 {
			wait = g.run(ctx, workers, int64(4000*cycles))
		}
		var d time.Duration
		if rng.IntN(8) == 0 {
			// Right after the start: during the replay and the first
			// inserts of what the previous run left.
			d = time.Duration(rng.Int64N(int64(30 * time.Millisecond)))
			early++
		} else {
			d = 100*time.Millisecond + time.Duration(rng.Int64N(int64(700*time.Millisecond)))
		}
		time.Sleep(d)
		p.kill()
	}
	killed := time.Since(start)
	p := startCollector()
	time.Sleep(300 * time.Millisecond) // load on the last run too
	cancel()
	wait()
	t.Logf("%d kills (%d early) in %s, %s per start on average; load: %s", cycles, early,
		killed.Round(time.Millisecond), (startup / time.Duration(cycles)).Round(time.Millisecond), g.summary())

	g.resendInDoubt(t, 60*time.Second)
	retried := g.resendAcked(300)
	if retried != 300 {
		t.Errorf("client retries of acknowledged events: %d of 300 answered 202", retried)
	}
	acked := g.ackedSet()
	if len(acked) < 1000 {
		t.Fatalf("only %d events acknowledged: the load did not run; %s\nlogs:\n%s", len(acked), g.summary(), logs)
	}
	drained := func() bool {
		v, err := metricValue(url(), "ashiato_spool_records")
		return err == nil && v == 0
	}
	s := waitStored(t, st, len(acked), drained, 90*time.Second)
	checkExactlyOnce(t, s, acked, logs)
	g.checkContract(t)
	g.mu.Lock()
	for status, n := range g.statuses {
		if status != 202 {
			t.Errorf("%d answers with status %d; only 202 or no answer (killed) is expected", n, status)
		}
	}
	g.mu.Unlock()
	dups, _ := metricValue(url(), "ashiato_writer_duplicates_total")
	replayed, _ := metricValue(url(), "ashiato_spool_replayed_records_total")
	lookups, err := metricValue(url(), "ashiato_writer_id_lookups_total")
	if err != nil || lookups < 300 {
		t.Errorf("last run looked up %.0f event IDs (%v); the 300 marked retries alone are more", lookups, err)
	}
	t.Logf("after the drain: %d rows = %d event IDs = %d acknowledged events; last run: %.0f records replayed, %.0f IDs looked up, %.0f duplicates collapsed; %s",
		s.rows, s.ids, len(acked), replayed, lookups, dups, g.summary())

	// After all this, a graceful stop still works.
	if err := p.stop(t); err != nil {
		t.Errorf("graceful stop after the crashes: %v\nlogs:\n%s", err, logs)
	}
}
