package admin

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/store"
)

// fakeAudit records the inserts it is asked for; fail makes them fail.
type fakeAudit struct {
	mu      sync.Mutex
	inserts [][]store.AuditEntry
	fail    bool
}

func (f *fakeAudit) Audit(_ context.Context, es ...store.AuditEntry) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return errors.New("down")
	}
	f.inserts = append(f.inserts, append([]store.AuditEntry(nil), es...))
	return nil
}

func (f *fakeAudit) rows() (inserts, rows int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, b := range f.inserts {
		rows += len(b)
	}
	return len(f.inserts), rows
}

func TestAuditorBatches(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	t.Run("one insert per interval, the rest on Close", func(t *testing.T) {
		f := &fakeAudit{}
		a := &Auditor{Store: f, Log: quiet, Interval: time.Hour}
		a.Start()
		for range 500 {
			a.Add(store.AuditEntry{Action: "x"})
		}
		if n, _ := f.rows(); n != 0 {
			t.Fatalf("%d inserts before the interval", n)
		}
		a.Close()
		if n, rows := f.rows(); n != 1 || rows != 500 {
			t.Fatalf("after Close: %d inserts of %d rows, want 1 of 500", n, rows)
		}
	})
	t.Run("early flush at MaxRows", func(t *testing.T) {
		f := &fakeAudit{}
		a := &Auditor{Store: f, Log: quiet, Interval: time.Hour, MaxRows: 10}
		a.Start()
		defer a.Close()
		for range 10 {
			a.Add(store.AuditEntry{Action: "x"})
		}
		deadline := time.Now().Add(5 * time.Second)
		for _, rows := f.rows(); rows != 10 && time.Now().Before(deadline); _, rows = f.rows() {
			time.Sleep(10 * time.Millisecond)
		}
		if _, rows := f.rows(); rows != 10 {
			t.Fatalf("%d rows flushed at MaxRows, want 10", rows)
		}
	})
	t.Run("kept while the store fails", func(t *testing.T) {
		f := &fakeAudit{fail: true}
		a := &Auditor{Store: f, Log: quiet, Interval: time.Hour, HardCap: 100}
		for range 150 {
			a.Add(store.AuditEntry{Action: "x"})
		}
		f.fail = false
		a.Close()
		if _, rows := f.rows(); rows != 100 {
			t.Fatalf("%d rows written after the outage, want the 100 of the cap", rows)
		}
	})
}
