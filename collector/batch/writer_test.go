package batch_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/batch"
	"github.com/ashiato/ashiato/collector/spool"
	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/collector/store/chtest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// flaky wraps the real store and injects the two failures that matter:
// an insert that fails before landing, and one that lands but whose
// acknowledgement is lost (the caller sees an error).
type flaky struct {
	st         *store.Store
	failBefore atomic.Int32 // fail this many inserts without writing
	failAfter  atomic.Int32 // write, then report failure, this many times
	inserts    atomic.Int32
}

func (f *flaky) InsertEventsOnce(ctx context.Context, evs []collector.Event) (int, error) {
	f.inserts.Add(1)
	if f.failBefore.Add(-1) >= 0 {
		return 0, errors.New("injected: connection refused")
	}
	n, err := f.st.InsertEventsOnce(ctx, evs)
	if err == nil && f.failAfter.Add(-1) >= 0 {
		return 0, errors.New("injected: timeout after the insert landed")
	}
	return n, err
}

func newSpool(t *testing.T) *spool.Spool {
	t.Helper()
	sp, err := spool.Open(spool.Config{Dir: t.TempDir()}, quiet, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sp.Close() })
	return sp
}

func event(i int) collector.Event {
	now := time.Now().UTC().Truncate(time.Second)
	return collector.Event{EventID: uuid.New(), SiteID: "demo", TS: now, ReceivedAt: now, Type: "pageview",
		URLHost: "localhost", URLPath: "/p", Purposes: []string{"necessary"}, VisitorHash: uint64(i + 1)}
}

func TestWriterDeliversExactlyOnceThroughFailures(t *testing.T) {
	st := chtest.New(t)
	sp := newSpool(t)
	sink := &batch.SpoolSink{Spool: sp}
	f := &flaky{st: st}
	f.failBefore.Store(2)
	f.failAfter.Store(2)
	finish := func(ev *collector.Event) bool {
		return ev.VisitorHash != 7 // a suppressed subject
	}
	w := batch.New(batch.Config{MaxRows: 40, Interval: 20 * time.Millisecond, MinInterval: time.Millisecond, RetryMax: 50 * time.Millisecond}, sp, f, finish, quiet, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()

	const n = 300
	for i := 0; i < n; i += 10 {
		evs := make([]collector.Event, 10)
		for j := range evs {
			evs[j] = event(i + j - 1) // VisitorHash i+j: exactly one event has hash 7
		}
		if err := sink.Submit(context.Background(), evs); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for sp.Stats().Records > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	if sp.Stats().Records != 0 {
		t.Fatalf("spool still holds %d records", sp.Stats().Records)
	}
	var cnt, uniq uint64
	if err := st.Conn.QueryRow(context.Background(), "SELECT count(), uniqExact(event_id) FROM "+st.Dialect.DB+".events").Scan(&cnt, &uniq); err != nil {
		t.Fatal(err)
	}
	if cnt != n-1 || uniq != n-1 {
		t.Fatalf("count() = %d, uniqExact = %d; want %d each (one suppressed)", cnt, uniq, n-1)
	}
	if f.inserts.Load() < 5 {
		t.Fatalf("only %d inserts: the injected failures were not exercised", f.inserts.Load())
	}
	if !w.Healthy() {
		t.Fatal("writer reports unhealthy after recovering")
	}
}

func TestWriterKeepsRecordsWhenStoreIsDown(t *testing.T) {
	st := chtest.New(t)
	sp := newSpool(t)
	f := &flaky{st: st}
	f.failBefore.Store(1 << 30)
	w := batch.New(batch.Config{MaxRows: 100, Interval: 10 * time.Millisecond, RetryMax: 20 * time.Millisecond}, sp, f, nil, quiet, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	if err := (&batch.SpoolSink{Spool: sp}).Submit(context.Background(), []collector.Event{event(1), event(2)}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if w.Healthy() {
		t.Error("writer healthy while every insert fails")
	}
	cancel()
	<-done
	if got := sp.Stats().Records; got != 2 {
		t.Fatalf("spool holds %d records after failed inserts, want 2 (nothing acknowledged may be lost)", got)
	}
}

// TestWriterReplayAfterLostAckIsNotDuplicated: a process stores a batch but
// dies before confirming it (here: the acknowledgement is lost and the
// process stops). The next process replays the records from the spool with
// a store that has never seen their IDs, and must look them up rather than
// store them twice.
func TestWriterReplayAfterLostAckIsNotDuplicated(t *testing.T) {
	dsn, _ := chtest.DSN(t)
	dir := t.TempDir()
	run := func(st batch.Store, until func(*spool.Spool) bool) {
		sp, err := spool.Open(spool.Config{Dir: dir}, quiet, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer sp.Close()
		if sp.Stats().Records == 0 {
			evs := make([]collector.Event, 50)
			for i := range evs {
				evs[i] = event(i)
			}
			if err := (&batch.SpoolSink{Spool: sp}).Submit(context.Background(), evs); err != nil {
				t.Fatal(err)
			}
		}
		w := batch.New(batch.Config{Interval: 10 * time.Millisecond, MinInterval: time.Millisecond, RetryMax: 20 * time.Millisecond}, sp, st, nil, quiet, nil)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); w.Run(ctx) }()
		deadline := time.Now().Add(20 * time.Second)
		for !until(sp) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		<-done
		if !until(sp) {
			t.Fatal("the writer did not get there within 20 s")
		}
	}
	first := &flaky{st: chtest.Open(t, dsn)}
	first.failAfter.Store(1 << 30) // every insert lands, every acknowledgement is lost
	run(first, func(*spool.Spool) bool { return first.inserts.Load() >= 1 })

	second := chtest.Open(t, dsn) // a new process: no memory of recent IDs
	run(second, func(sp *spool.Spool) bool { return sp.Stats().Records == 0 })
	var cnt, uniq uint64
	if err := second.Conn.QueryRow(context.Background(), "SELECT count(), uniqExact(event_id) FROM "+second.Dialect.DB+".events").Scan(&cnt, &uniq); err != nil {
		t.Fatal(err)
	}
	if cnt != 50 || uniq != 50 {
		t.Fatalf("after the replay: count() = %d, uniqExact = %d; want 50 each", cnt, uniq)
	}
	if got := second.LookedUp(); got != 50 {
		t.Errorf("the replaying process looked up %d IDs, want the 50 replayed", got)
	}
}
