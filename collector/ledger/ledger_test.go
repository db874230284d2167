package ledger

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/consent"
	"github.com/ashiato/ashiato/collector/spool"
)

// memStore keeps what it is given; while down it fails every insert.
type memStore struct {
	mu    sync.Mutex
	down  bool
	got   []consent.Entry
	seens []int
}

func (s *memStore) InsertEntriesOnce(_ context.Context, es []consent.Entry, seen int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return 0, errors.New("clickhouse down")
	}
	s.got = append(s.got, es...)
	s.seens = append(s.seens, seen)
	return len(es), nil
}

func (s *memStore) entries() []consent.Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]consent.Entry(nil), s.got...)
}

// TestLedgerInFlightAcrossRestart: entries recorded while the store is
// down are in flight (Pending, InFlight), still so after the ledger is
// reopened on its spool, and handed to the store once, marked as possibly
// stored; an entry that lands long after its decision also revokes the
// decision it replaced by ID, at landing time.
func TestLedgerInFlightAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	st := &memStore{down: true}
	cfg := Config{Interval: 20 * time.Millisecond, RetryMax: 50 * time.Millisecond}
	l, err := Open(spool.Config{Dir: dir}, cfg, st, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.Run(ctx); close(done) }()
	old := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	e := testEntry()
	e.Decision.TS = old
	e.Revokes, e.Replaces = "", "019aed2a-0000-7000-8000-0000000000aa"
	if err := l.Record(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if p := l.Pending("demo", "v1"); len(p) != 1 || p[0].ConsentID != e.Decision.ConsentID {
		t.Fatalf("pending: %+v", p)
	}
	time.Sleep(100 * time.Millisecond) // a few failed inserts
	cancel()
	<-done
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	st.mu.Lock()
	st.down = false
	st.mu.Unlock()
	l, err = Open(spool.Config{Dir: dir}, cfg, st, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	n := 0
	for range l.InFlight() {
		n++
	}
	if n != 1 {
		t.Fatalf("after the restart %d entries in flight, want 1", n)
	}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	go l.Run(ctx)
	// Stored, confirmed in the spool, then out of the in-flight set (the
	// writer drops it there just after confirming).
	deadline := time.Now().Add(5 * time.Second)
	for len(st.entries()) == 0 || l.Records() > 0 || len(l.Pending("demo", "v1")) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the entry was not stored and dropped from the in-flight set: stored %d, in the spool %d, pending %+v",
				len(st.entries()), l.Records(), l.Pending("demo", "v1"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	got := st.entries()
	if len(got) != 1 || st.seens[0] != 1 {
		t.Fatalf("stored %d entries, seen %v; want 1, marked as possibly stored", len(got), st.seens)
	}
	if g := got[0]; g.Revokes != e.Replaces || time.Since(g.RevokedAt) > 5*time.Second {
		t.Errorf("a late entry revokes %q at %v; want %q now", g.Revokes, g.RevokedAt, e.Replaces)
	}
	if p := l.Pending("demo", "v1"); len(p) != 0 {
		t.Errorf("still pending after it was stored: %+v", p)
	}
}

// TestLedgerFull: once the consent spool is at its cap, Record answers
// EOverloaded (503 with Retry-After) and the entry is not in flight.
func TestLedgerFull(t *testing.T) {
	l, err := Open(spool.Config{Dir: t.TempDir(), MaxBytes: 4 << 10, SegmentBytes: 64 << 10}, Config{}, &memStore{down: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var refused *collector.Error
	for i := 0; refused == nil; i++ {
		if i > 100 {
			t.Fatal("the spool took 100 entries over a 4 KiB cap")
		}
		e := testEntry()
		e.Decision.ConsentID = fmt.Sprintf("019aed2a-0000-7000-8000-%012d", i)
		e.Decision.VisitorID = fmt.Sprintf("v%d", i)
		if err := l.Record(context.Background(), e); err != nil {
			if !errors.As(err, &refused) || refused.Code != collector.EOverloaded {
				t.Fatalf("refusal %v, want EOverloaded", err)
			}
			if p := l.Pending("demo", e.Decision.VisitorID); len(p) != 0 {
				t.Errorf("a refused entry is in flight: %+v", p)
			}
		}
	}
}
