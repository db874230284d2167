package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/internal/seed"
)

// runSeed generates realistic traffic (internal/seed) straight into
// ClickHouse, or through a running collector with --via-http.
func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c seed.Config
	var end, viaHTTP, uas string
	fs.StringVar(&c.Site, "site", "", "site ID (required)")
	fs.IntVar(&c.Events, "events", 100000, "events to generate")
	fs.IntVar(&c.Days, "days", 30, "days of traffic, ending today (or --end)")
	fs.Uint64Var(&c.Seed, "seed", 1, "random seed: the same seed, counts and end give the same traffic")
	fs.StringVar(&end, "end", "", "end of the traffic, YYYY-MM-DD (that day's end) or RFC 3339 (default: now)")
	fs.StringVar(&c.Host, "host", "", "page host (default localhost for the demo site, else SITE.example)")
	fs.IntVar(&c.Batch, "batch", 100000, "events per INSERT")
	fs.StringVar(&uas, "uas", "", "comma-separated User-Agent corpus files instead of the built-in browsers")
	fs.StringVar(&viaHTTP, "via-http", "", "send through a running collector's POST /api/event at this URL (e.g. http://127.0.0.1:8080) instead of inserting; the collector stamps the time, so events land now")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: ashiato seed --site S [--events N] [--days D] [--seed K] [--via-http URL] [flags]

Generates realistic traffic for site S: visitors with sessions of several
pages, referrer sources and UTM campaigns, devices, countries and languages,
custom events (purchases with revenue in JPY and USD), engagement, about 40 %
consented and 60 % anonymous traffic, a few per cent bots, spread over D days
ending now. By default it migrates the database of --clickhouse-dsn and
inserts in large batches; with --via-http it posts to a running collector.
A progress bar is drawn on a terminal.`)
		fs.PrintDefaults()
	}
	cfg, err := config.Load(fs, args, os.Getenv)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.End, err = parseEnd(end); err != nil {
		return err
	}
	if uas != "" {
		c.Corpus = strings.Split(uas, ",")
	}
	c.ForHTTP = viaHTTP != ""
	if err := c.Validate(); err != nil {
		return err
	}
	var sink seed.Sink
	where := ""
	if viaHTTP != "" {
		h, err := seed.NewHTTP(ctx, viaHTTP, c.Site, c.Host)
		if err != nil {
			return err
		}
		sink, where = h, viaHTTP
	} else {
		ch, err := seed.OpenClickHouse(ctx, cfg.DSN, newLogger(stderr, cfg.LogLevel))
		if err != nil {
			return err
		}
		sink, where = ch, "database "+ch.Store().Dialect.DB
	}
	bar := seed.NewProgress(stderr, c.Events)
	start := time.Now()
	t, err := seed.Run(ctx, c, sink, bar.Update)
	// Close waits for the last insert (and must run on every path).
	if ch, ok := sink.(*seed.ClickHouse); ok {
		if cerr := ch.Close(); err == nil {
			err = cerr
		}
	}
	bar.Done()
	if err != nil {
		return err
	}
	pct := func(n int) float64 { return 100 * float64(n) / float64(max(t.Events, 1)) }
	fmt.Fprintf(stdout, "seeded %d events (%d pageviews, %d visits, %d visitors, %.1f %% consented, %.1f %% bots, %d consent decisions) for site %s into %s in %s\n",
		t.Events, t.Pageviews, t.Visits, t.Visitors, pct(t.Consented), pct(t.Bots), t.Decisions, c.Site, where,
		time.Since(start).Round(100*time.Millisecond))
	return nil
}

// parseEnd reads --end: a day (its last second, UTC) or an RFC 3339 time.
func parseEnd(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d.Add(24*time.Hour - time.Second), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--end %q: want YYYY-MM-DD or RFC 3339", s)
	}
	return t, nil
}
