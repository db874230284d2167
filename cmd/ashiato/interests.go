package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/ingest"
	"github.com/ashiato/ashiato/collector/interest"
)

const interestsUsage = `Usage:
  ashiato query interests --site S [--visitor V | --user U] [--category C] [--limit N] [--format table|json]
Interest scores (time-decayed, half-life from the site's interests config)
of subjects whose consent grants interest_profile now, highest first.
Profiles are computed when asked, never stored: a withdrawal, stop of use
or erasure removes one at once. Every read is audited.`

func runInterests(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("query interests", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, interestsUsage); fs.PrintDefaults() }
	var site, format string
	var q interest.Query
	fs.StringVar(&site, "site", "", "site ID")
	fs.StringVar(&q.Visitor, "visitor", "", "one visitor ID")
	fs.StringVar(&q.User, "user", "", "one user ID (as your systems know it)")
	fs.StringVar(&q.Category, "category", "", "one category")
	fs.IntVar(&q.Limit, "limit", 100, "at most this many rows")
	fs.StringVar(&format, "format", "table", "table or json")
	cfg, err := config.Load(fs, args, os.Getenv)
	if err != nil {
		return err
	}
	site = siteOrOnly(site, cfg.Sites)
	env, err := openCLI(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer env.store.Close()
	sites := ingest.NewSites(cfg.Sites)
	if q.User != "" {
		q.User = env.svc.Keys.StoredUserID(sites.Get(site), q.User)
	}
	svc := &interest.Service{Store: env.store, Sites: sites.Get}
	start := time.Now()
	scores, err := svc.Scores(ctx, site, q)
	env.audit(ctx, "interests.query", site, "", fmt.Sprintf("category=%s limit=%d rows=%d", q.Category, q.Limit, len(scores)), err)
	if err != nil {
		return err
	}
	if format == "json" {
		return writeJSON(stdout, scores)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VISITOR\tUSER\tCATEGORY\tSCORE")
	for _, s := range scores {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.3f\n", s.VisitorID, s.UserID, s.Category, s.Score)
	}
	fmt.Fprintf(stderr, "%d rows in %s\n", len(scores), time.Since(start).Round(time.Millisecond))
	return tw.Flush()
}
