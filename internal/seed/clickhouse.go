package seed

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/consent"
	"github.com/ashiato/ashiato/collector/store"
)

// ClickHouse writes seeded traffic straight into the events table and the
// consent ledger with the collector's own insert (store.InsertEvents), one
// INSERT per batch. The insert of a batch runs while the next one is
// generated.
type ClickHouse struct {
	st   *store.Store
	jobs chan []collector.Event
	done chan error
	free chan []collector.Event
	err  error
	// failed holds the first insert error, for Records to stop early.
	failed atomic.Pointer[error]
}

var _ Sink = (*ClickHouse)(nil)

// OpenClickHouse connects to dsn, creates its database if missing and
// applies the migrations, as `ashiato migrate` does.
func OpenClickHouse(ctx context.Context, dsn string, log *slog.Logger) (*ClickHouse, error) {
	st, err := store.Open(ctx, store.Config{DSN: dsn}, true)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if _, err := st.Migrate(ctx, log); err != nil {
		st.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	c := &ClickHouse{st: st, jobs: make(chan []collector.Event), done: make(chan error, 1),
		free: make(chan []collector.Event, 2)}
	c.free <- nil
	c.free <- nil
	go c.insert(ctx)
	return c, nil
}

// Store returns the store the sink writes with.
func (c *ClickHouse) Store() *store.Store { return c.st }

// insert runs the inserts, one at a time, until jobs is closed; it stops at
// the first error.
func (c *ClickHouse) insert(ctx context.Context) {
	var err error
	for evs := range c.jobs {
		if err == nil {
			if err = c.st.InsertEvents(ctx, evs); err != nil {
				c.failed.Store(&err)
			}
		}
		c.free <- evs
	}
	c.done <- err
}

// Records hands a copy of the batch to the inserting goroutine and returns
// once the previous batch but one is in.
func (c *ClickHouse) Records(ctx context.Context, recs []Record) error {
	if err := c.failed.Load(); err != nil {
		return *err
	}
	buf := <-c.free
	buf = buf[:0]
	for i := range recs {
		buf = append(buf, recs[i].Event)
	}
	select {
	case c.jobs <- buf:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ledgerColumns are the consent_log columns seeded decisions fill.
var ledgerColumns = []string{"consent_id", "site_id", "ts", "visitor_id", "user_id", "granted", "denied",
	"revision", "texts_hash", "method", "lang", "gpc", "ua_family", "expires_at"}

// Decisions appends the decisions to consent_log in one INSERT.
func (c *ClickHouse) Decisions(ctx context.Context, ds []consent.Decision) error {
	q := "INSERT INTO " + c.st.Dialect.DB + ".consent_log (" + strings.Join(ledgerColumns, ", ") + ")"
	b, err := c.st.Conn.PrepareBatch(ctx, q)
	if err != nil {
		return fmt.Errorf("prepare consent_log insert: %w", err)
	}
	defer b.Close()
	for _, d := range ds {
		var gpc uint8
		if d.GPC {
			gpc = 1
		}
		if err := b.Append(d.ConsentID, d.SiteID, d.TS, d.VisitorID, d.UserID, nonNil(d.Granted), nonNil(d.Denied),
			uint32(d.Revision), d.TextsHash, d.Method, d.Lang, gpc, d.UAFamily, d.ExpiresAt); err != nil {
			return fmt.Errorf("append to consent_log: %w", err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert into consent_log: %w", err)
	}
	return nil
}

// Close waits for the last insert and closes the connection; it returns
// the first insert error.
func (c *ClickHouse) Close() error {
	close(c.jobs)
	c.err = <-c.done
	c.st.Close()
	return c.err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
