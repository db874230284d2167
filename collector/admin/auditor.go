package admin

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/ashiato/ashiato/collector/store"
)

// auditWriter stores audit rows; *store.Store is one.
type auditWriter interface {
	Audit(ctx context.Context, es ...store.AuditEntry) error
}

// Auditor batches the admin API's audit rows: a request adds its row to a
// buffer that one INSERT flushes every interval, or at once when MaxRows
// wait, so that a flood of requests costs a few inserts a second instead of
// one each. Close flushes what is left: a clean stop loses nothing. A
// buffer at HardCap (the store failing for a long time) makes the request
// that adds to it flush itself, so memory stays bounded and rows are kept
// while the store answers.
type Auditor struct {
	Store    auditWriter
	Log      *slog.Logger
	Interval time.Duration // default 1s
	MaxRows  int           // flush early at this many rows; default 1000
	HardCap  int           // default 50000

	mu        sync.Mutex
	pending   []store.AuditEntry
	kick      chan struct{}
	flushMu   sync.Mutex // one flush at a time, in order
	stop      chan struct{}
	done      chan struct{}
	once      sync.Once
	started   bool
	closeOnce sync.Once
}

func (a *Auditor) init() {
	a.once.Do(func() {
		if a.Interval <= 0 {
			a.Interval = time.Second
		}
		if a.MaxRows <= 0 {
			a.MaxRows = 1000
		}
		if a.HardCap <= 0 {
			a.HardCap = 50000
		}
		a.kick = make(chan struct{}, 1)
		a.stop = make(chan struct{})
		a.done = make(chan struct{})
	})
}

// Add queues one audit row.
func (a *Auditor) Add(e store.AuditEntry) {
	a.init()
	a.mu.Lock()
	a.pending = append(a.pending, e)
	n := len(a.pending)
	a.mu.Unlock()
	switch {
	case n >= a.HardCap:
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		a.Flush(ctx)
	case n >= a.MaxRows:
		select {
		case a.kick <- struct{}{}:
		default:
		}
	}
}

// Flush writes every queued row in one INSERT. On failure the rows stay
// queued for the next flush (beyond HardCap the oldest go, and are logged
// as lost).
func (a *Auditor) Flush(ctx context.Context) error {
	a.init()
	a.flushMu.Lock()
	defer a.flushMu.Unlock()
	a.mu.Lock()
	batch := a.pending
	a.pending = nil
	a.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	err := a.Store.Audit(ctx, batch...)
	if err == nil {
		return nil
	}
	a.mu.Lock()
	a.pending = append(batch, a.pending...)
	if over := len(a.pending) - a.HardCap; over > 0 {
		a.pending = a.pending[over:]
		a.Log.Error("audit rows lost: the audit log cannot be written", "rows", over, "err", err)
	}
	a.mu.Unlock()
	a.Log.Error("write audit rows", "rows", len(batch), "err", err)
	return err
}

// Start flushes every Interval, and early when MaxRows wait, until Close.
func (a *Auditor) Start() {
	a.init()
	a.started = true
	go a.run()
}

func (a *Auditor) run() {
	defer close(a.done)
	t := time.NewTicker(a.Interval)
	defer t.Stop()
	for {
		select {
		case <-a.stop:
			return
		case <-t.C:
		case <-a.kick:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		a.Flush(ctx)
		cancel()
	}
}

// Close stops the flushing of Start and flushes what is queued. It may be
// called more than once.
func (a *Auditor) Close() error {
	a.init()
	a.closeOnce.Do(func() { close(a.stop) })
	if a.started {
		<-a.done
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return a.Flush(ctx)
}
