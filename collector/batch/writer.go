// Package batch is the writer stage: it drains the durable spool in large
// batches, finishes enrichment that was left pending (never-seen UAs),
// drops events of erased subjects, and inserts into ClickHouse exactly
// once. A spool record is confirmed only after its row is in ClickHouse.
package batch

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/pace"
	"github.com/ashiato/ashiato/collector/spool"
)

// Config configures the writer.
type Config struct {
	MaxRows     int           `yaml:"max_rows"`     // rows per insert; default 20,000
	Interval    time.Duration `yaml:"interval"`     // flush at least this often; default 1s
	MinInterval time.Duration `yaml:"min_interval"` // at most one insert per this, to bound parts per partition; default 1s
	RetryMax    time.Duration `yaml:"retry_max"`    // longest back-off after failed inserts; default 10s
}

func (c Config) withDefaults() Config {
	if c.MaxRows <= 0 {
		c.MaxRows = 20000
	}
	if c.Interval <= 0 {
		c.Interval = time.Second
	}
	if c.MinInterval <= 0 {
		// Fewer, larger inserts keep parts per partition low and cost
		// ClickHouse less CPU per row; a second is what ClickHouse's own
		// guidance for MergeTree inserts suggests.
		c.MinInterval = time.Second
	}
	if c.MinInterval > c.Interval {
		c.MinInterval = c.Interval
	}
	if c.RetryMax <= 0 {
		c.RetryMax = 10 * time.Second
	}
	return c
}

// Source is the spool as the writer reads it.
type Source interface {
	Read(ctx context.Context, max int, wait time.Duration) (spool.Batch, error)
	Confirm(b spool.Batch) error
	Requeue(b spool.Batch)
}

// Store writes events exactly once.
type Store interface {
	InsertEventsOnce(ctx context.Context, evs []collector.Event) (int, error)
}

// Finisher completes events before they are stored: pending UA parses,
// erasure suppression. It returns false for an event that must be dropped.
type Finisher func(ev *collector.Event) bool

// Writer drains a Source into a Store.
type Writer struct {
	cfg     Config
	src     Source
	store   Store
	finish  Finisher
	log     *slog.Logger
	metrics *metrics
	lastOK  atomic.Int64 // unix nanos of the last successful drain or idle check
	failing atomic.Bool
	evs     []collector.Event // the batch being written, reused (only Run writes)
}

// New returns a Writer.
func New(cfg Config, src Source, st Store, finish Finisher, log *slog.Logger, reg prometheus.Registerer) *Writer {
	w := &Writer{cfg: cfg.withDefaults(), src: src, store: st, finish: finish, log: log, metrics: newMetrics(reg)}
	w.lastOK.Store(time.Now().UnixNano())
	return w
}

// Healthy reports whether the last insert succeeded.
func (w *Writer) Healthy() bool { return !w.failing.Load() }

// Run drains until ctx ends. Records already handed out when ctx ends are
// requeued, so they stay in the spool for the next start.
func (w *Writer) Run(ctx context.Context) {
	backoff := pace.Backoff{Max: w.cfg.RetryMax}
	// Start with small batches and double up to MaxRows: after a restart
	// the first batches replay the spool, and a process that keeps dying
	// must still confirm something between crashes.
	limit := min(1000, w.cfg.MaxRows)
	for ctx.Err() == nil {
		start := time.Now()
		b, err := w.src.Read(ctx, limit, w.cfg.Interval)
		if err != nil {
			if ctx.Err() == nil {
				w.log.Error("read spool", "err", err)
				pace.Sleep(ctx, time.Second)
			}
			continue
		}
		if len(b.Records) == 0 {
			w.lastOK.Store(time.Now().UnixNano())
			continue
		}
		if err := w.write(ctx, b); err != nil {
			w.src.Requeue(b)
			if ctx.Err() != nil {
				return
			}
			w.failing.Store(true)
			w.metrics.errors.Inc()
			wait := backoff.Next()
			w.log.Warn("insert failed; will retry", "rows", len(b.Records), "err", err, "backoff", wait.String())
			pace.Sleep(ctx, wait)
			continue
		}
		backoff.Reset()
		full := len(b.Records) >= limit // more may be waiting: no pause
		limit = min(limit*2, w.cfg.MaxRows)
		w.failing.Store(false)
		w.lastOK.Store(time.Now().UnixNano())
		// Bound the insert rate so that parts per partition stay low even
		// while a large backlog drains.
		if d := w.cfg.MinInterval - time.Since(start); d > 0 && !full {
			pace.Sleep(ctx, d)
		}
	}
}

// write decodes, finishes, inserts and confirms one spool batch.
func (w *Writer) write(ctx context.Context, b spool.Batch) error {
	// Events are decoded in place into a slice kept from batch to batch:
	// the writer allocated a second's worth of events at once before, and
	// that burst started a GC cycle every second.
	evs := slices.Grow(w.evs[:0], len(b.Records))
	defer func() { w.evs = evs[:0]; clear(evs[:len(b.Records)]) }()
	var y pace.Yielder
	for i, rec := range b.Records {
		y.Step()
		evs = append(evs, collector.Event{})
		ev := &evs[len(evs)-1]
		if err := spool.DecodeEvent(rec, ev); err != nil {
			// The spool's checksums make this a bug, not a disk fault;
			// keep going rather than block the whole spool on one record.
			w.metrics.undecodable.Inc()
			w.log.Error("undecodable spool record skipped", "err", err)
			evs = evs[:len(evs)-1]
			continue
		}
		if w.finish != nil && !w.finish(ev) {
			w.metrics.suppressed.Inc()
			evs = evs[:len(evs)-1]
			continue
		}
		if i < b.Seen {
			ev.MaybeStored = true // see spool.Batch.Seen
		}
	}
	start := time.Now()
	n, err := w.store.InsertEventsOnce(ctx, evs)
	if err != nil {
		return err
	}
	w.metrics.insertSeconds.Observe(time.Since(start).Seconds())
	w.metrics.batchRows.Observe(float64(len(evs)))
	w.metrics.rows.Add(float64(n))
	if dup := len(evs) - n; dup > 0 {
		w.metrics.duplicates.Add(float64(dup))
	}
	if err := w.src.Confirm(b); err != nil {
		return errors.Join(errConfirm, err)
	}
	return nil
}

var errConfirm = errors.New("confirm spool batch")
