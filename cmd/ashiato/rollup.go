package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/rollup"
	"github.com/ashiato/ashiato/collector/store"
)

// runRollup runs `ashiato rollup refresh`: brings the visits rollup up to
// date with events (collector/rollup).
func runRollup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rollup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	since := fs.String("since", "", "only the UTC days from this one on, YYYY-MM-DD (default: every day)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: ashiato rollup refresh [--since YYYY-MM-DD] [flags]

Rebuilds the visits rollup (one row per visit, read by the visit reports)
for every site and UTC day whose events changed since its last build:
new or late events, erasures, retention. Safe to run at any time.`)
		fs.PrintDefaults()
	}
	sub := ""
	if len(args) > 0 && args[0] == "refresh" { // flags may come after it
		sub, args = args[0], args[1:]
	}
	cfg, err := config.Load(fs, args, os.Getenv)
	if err != nil {
		return err
	}
	if sub == "" && fs.NArg() == 1 {
		sub = fs.Arg(0)
	} else if fs.NArg() > 0 {
		sub = ""
	}
	if sub != "refresh" {
		fs.Usage()
		return fmt.Errorf("want the subcommand refresh")
	}
	st, err := store.Open(ctx, cfg.Config, false)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	if *since != "" {
		if _, err := time.Parse(time.DateOnly, *since); err != nil {
			return fmt.Errorf("--since %q: want YYYY-MM-DD", *since)
		}
	}
	res, err := rollup.RefreshSince(ctx, st, time.Now, *since)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "visits rollup: %d day(s) rebuilt, %d removed in %s\n", len(res.Rebuilt), len(res.Removed),
		time.Since(start).Round(time.Millisecond))
	return nil
}
