package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/rollup"
	"github.com/ashiato/ashiato/collector/store"
)

// runRollup is `ashiato rollup refresh`: bring the visits rollup up to
// date now (serve does it in the background every rollup_interval).
func runRollup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	_, fs, err := subcommand("rollup", "Usage: ashiato rollup refresh [--since YYYY-MM-DD] [flags]", args, stderr, "refresh")
	if err != nil {
		return err
	}
	since := fs.String("since", "", "refresh the UTC days from this one on (default: every day)")
	cfg, err := config.Load(fs, args[1:], os.Getenv)
	if err != nil {
		return err
	}
	var from time.Time
	if *since != "" {
		if from, err = time.Parse(time.DateOnly, *since); err != nil {
			return fmt.Errorf("--since %q: want YYYY-MM-DD", *since)
		}
	}
	st, err := store.Open(ctx, cfg.Config, false)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	res, err := rollup.Refresh(ctx, st, from, time.Now)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "rollup: %d days rebuilt, %d removed in %s\n", len(res.Rebuilt), len(res.Removed), time.Since(start).Round(time.Millisecond))
	return json.NewEncoder(stdout).Encode(res)
}
