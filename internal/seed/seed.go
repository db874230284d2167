// Package seed generates realistic traffic for a site — visitors with
// sessions of several pages, referrer sources and campaigns, devices,
// countries, custom events with revenue in two currencies, engagement,
// about 40 % consented and 60 % anonymous traffic and a few per cent bots —
// and writes it straight into ClickHouse in large batches (ClickHouse) or
// through the collector's real ingestion path (HTTP). `ashiato seed` is its
// command; the report benchmark (deploy/local/bench-reports.sh) fills its
// databases with it.
//
// The same Config and Seed give the same traffic: one random source, one
// goroutine generating.
package seed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ashiato/ashiato/collector/consent"
)

// Config says what to generate.
type Config struct {
	Site   string    // site ID
	Host   string    // page host; default: localhost for the built-in demo site, else SITE.example
	Events int       // events to generate, exactly
	Days   int       // days of traffic, the last one being End's day
	End    time.Time // the end of the traffic (no event after it); zero: now
	Seed   uint64    // random seed
	Batch  int       // events per batch handed to the sink (default 100,000)
	Corpus []string  // User-Agent corpus files; empty: the built-in browsers
	// ForHTTP fills in Record.URL and Record.Referrer, which the HTTP sink
	// sends (the ClickHouse sink needs only the events).
	ForHTTP bool
}

// Validate checks cfg and fills in defaults.
func (c *Config) Validate() error {
	switch {
	case c.Site == "":
		return errors.New("seed: --site is required")
	case c.Events <= 0:
		return fmt.Errorf("seed: --events %d: want a positive number", c.Events)
	case c.Days <= 0 || c.Days > 3660:
		return fmt.Errorf("seed: --days %d: want 1 to 3660", c.Days)
	}
	if c.Host == "" {
		c.Host = c.Site + ".example"
		if c.Site == "demo" {
			c.Host = "localhost"
		}
	}
	if c.End.IsZero() {
		c.End = time.Now()
	}
	c.End = c.End.UTC().Truncate(time.Second)
	if c.Batch <= 0 {
		c.Batch = 100_000
	}
	return nil
}

// Sink receives what is generated, batch by batch, in order.
type Sink interface {
	// Records stores a batch of events. The slice is reused after the call.
	Records(ctx context.Context, recs []Record) error
	// Decisions stores consent ledger rows (decisions of seeded visitors).
	Decisions(ctx context.Context, ds []consent.Decision) error
}

// Run generates cfg.Events events into sink, calling progress (if not nil)
// with the number of events stored so far after each batch.
func Run(ctx context.Context, cfg Config, sink Sink, progress func(done int)) (Totals, error) {
	if err := cfg.Validate(); err != nil {
		return Totals{}, err
	}
	g, err := newGenerator(cfg)
	if err != nil {
		return Totals{}, err
	}
	emit := func(recs []Record, ds []consent.Decision) error {
		// Decisions first: a report never sees consented events whose
		// decision is missing from the ledger.
		if len(ds) > 0 {
			if err := sink.Decisions(ctx, ds); err != nil {
				return fmt.Errorf("seed: store decisions: %w", err)
			}
		}
		if len(recs) > 0 {
			if err := sink.Records(ctx, recs); err != nil {
				return fmt.Errorf("seed: store events: %w", err)
			}
		}
		if progress != nil {
			progress(g.totals.Events)
		}
		return ctx.Err()
	}
	if err := g.run(emit); err != nil {
		return g.totals, err
	}
	return g.totals, nil
}

// Totals counts what was generated.
type Totals struct {
	Events, Pageviews, Visits, Visitors, Decisions int
	Consented, Bots                                int // events
}
