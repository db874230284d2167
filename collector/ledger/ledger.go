// Package ledger is the durable path of consent decisions, the consent
// ledger's counterpart of the hits' spool and batch writer. Recording a
// decision appends its entry (consent.Entry: the ledger row and what it
// replaced) to a spool of its own and returns once it is on disk; a writer
// drains that spool into consent_log (and consent_revoked) exactly once,
// applies what a decision changes in ClickHouse (the withdrawal's unlinking
// of identities), and only then confirms the spool records.
//
// Entries in flight are kept in memory (Pending, InFlight) for the readers
// that must see a decision at once: the visitor's own consent history, and
// after a restart the consent gate, which is told of every entry still in
// the spool before the collector answers.
//
// A spool of its own rather than a record type in the hits' spool: a
// decision never waits behind a backlog of hits (nor hits behind a failing
// consent_log), the in-flight entries are re-read at start from a spool
// that holds decisions only, and the hits' spool format and writer stay
// as they are.
package ledger

import (
	"context"
	"errors"
	"iter"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/consent"
	"github.com/ashiato/ashiato/collector/spool"
)

// Store writes ledger entries exactly once.
type Store interface {
	InsertEntriesOnce(ctx context.Context, es []consent.Entry, seen int) (int, error)
}

// Config configures the ledger's writer.
type Config struct {
	// Interval is the longest the writer waits for more entries, and the
	// least time between two inserts while no backlog waits; default 1s.
	Interval time.Duration
	// RetryMax is the longest back-off after failed inserts; default 10s.
	RetryMax time.Duration
	// MaxRows bounds the entries of one insert; default 5,000.
	MaxRows int
}

// Ledger records consent decisions durably and writes them to ClickHouse.
type Ledger struct {
	cfg   Config
	spool *spool.Spool
	store Store
	// Finish prepares an entry just before it is written (the privacy
	// stage pseudonymises the keys of erased subjects); nil: nothing.
	Finish func(e *consent.Entry)
	// Landed applies what an entry changes in ClickHouse beyond its rows,
	// after they are stored and before the spool record is confirmed; it
	// runs again for an entry replayed after a crash, so it must be
	// idempotent. An error retries the batch. nil: nothing.
	Landed  func(ctx context.Context, e consent.Entry) error
	log     *slog.Logger
	m       *metrics
	pending *pending
}

// Open opens the consent spool (cfg.Metrics names its metrics) and loads
// the entries still in it into memory, so that InFlight lists them before
// anything is written.
func Open(scfg spool.Config, cfg Config, st Store, log *slog.Logger, reg prometheus.Registerer) (*Ledger, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if scfg.Metrics == "" {
		scfg.Metrics = "consent_spool"
	}
	sp, err := spool.Open(scfg, log, reg)
	if err != nil {
		return nil, err
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = 10 * time.Second
	}
	if cfg.MaxRows <= 0 {
		cfg.MaxRows = 5000
	}
	l := &Ledger{cfg: cfg, spool: sp, store: st, log: log, pending: newPending()}
	l.m = newMetrics(reg, l)
	if err := l.load(); err != nil {
		sp.Close()
		l.m.unregister()
		return nil, err
	}
	return l, nil
}

// load reads every record of the spool once, into the in-flight entries,
// and hands them all out again to the writer.
func (l *Ledger) load() error {
	var first spool.Batch
	for {
		b, err := l.spool.Read(context.Background(), l.cfg.MaxRows, 0)
		if err != nil {
			return err
		}
		if len(b.Records) == 0 {
			break
		}
		if len(first.Records) == 0 {
			first = b
		}
		for _, rec := range b.Records {
			if e, err := DecodeEntry(rec); err == nil {
				l.pending.add(e)
			}
		}
	}
	l.spool.Requeue(first)
	if n := l.pending.len(); n > 0 {
		l.log.Info("consent decisions in flight from the last run", "decisions", n)
	}
	return nil
}

// Record makes e durable: it returns once the entry is on disk, and from
// then on Pending and InFlight include it until it is stored. A full spool
// answers collector.EOverloaded, another failure collector.EUnavailable.
func (l *Ledger) Record(ctx context.Context, e consent.Entry) error {
	rec := AppendEntry(nil, &e)
	// In flight before it is on disk: the writer may store it (and drop
	// it from the in-flight set) before Append returns.
	l.pending.add(e)
	if err := l.spool.Append(ctx, rec); err != nil {
		l.pending.remove(e.Decision.ConsentID)
		if errors.Is(err, spool.ErrFull) {
			l.m.failed.WithLabelValues("full").Inc()
			return &collector.Error{Code: collector.EOverloaded, Reason: "consent spool full, retry later"}
		}
		l.m.failed.WithLabelValues("io").Inc()
		return &collector.Error{Code: collector.EUnavailable, Reason: "could not record the decision, retry later"}
	}
	l.m.decisions.WithLabelValues(e.Decision.Method).Inc()
	return nil
}

// Pending returns the decisions of a visitor of site that are recorded but
// not stored in ClickHouse yet, oldest first.
func (l *Ledger) Pending(site, visitorID string) []consent.Decision {
	if visitorID == "" {
		return nil
	}
	return l.pending.ofSubject(site, visitorID)
}

// InFlight yields every entry recorded but not stored yet, in no order.
func (l *Ledger) InFlight() iter.Seq[consent.Entry] {
	return func(yield func(consent.Entry) bool) { l.pending.each(yield) }
}

// Records returns the number of entries in the spool not confirmed yet.
func (l *Ledger) Records() int64 { return l.spool.Stats().Records }

// Close closes the spool; Run must have returned.
func (l *Ledger) Close() error {
	l.m.unregister()
	return l.spool.Close()
}
