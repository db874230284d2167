package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/ingest"
	"github.com/ashiato/ashiato/collector/stats"
	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/queries"
)

// queryFlags are the flags of `ashiato query`.
type queryFlags struct {
	site, from, to, tz, metrics, by, compare, limit, format, steps, page string
	window, maxDays                                                      int
	filters, params                                                      multiFlag
	list, sql, events                                                    bool
}

func (f *queryFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.site, "site", "", "site ID")
	fs.StringVar(&f.from, "from", "", "first day, YYYY-MM-DD (in the time zone)")
	fs.StringVar(&f.to, "to", "", "last day, YYYY-MM-DD, included")
	fs.StringVar(&f.tz, "tz", "", "IANA time zone of the days (default: the site's time_zone)")
	fs.StringVar(&f.metrics, "metrics", "", "comma-separated metrics (default: the report's)")
	fs.StringVar(&f.by, "by", "", "dimension to break down by (default: the report's)")
	fs.Var(&f.filters, "filter", "'dimension operator value' (is, is_not, contains, prefix); repeatable, ANDed")
	fs.StringVar(&f.compare, "compare", "", "previous or year")
	fs.StringVar(&f.limit, "limit", "", "most rows (default 100)")
	fs.StringVar(&f.format, "format", "", "table, csv or json (default: table on a terminal, else json)")
	fs.StringVar(&f.steps, "steps", "", "funnel steps: /path or event:NAME, comma-separated")
	fs.IntVar(&f.window, "window", 0, "funnel window in seconds (default 1800)")
	fs.StringVar(&f.page, "page", "", "journeys: the page whose neighbours to show")
	fs.IntVar(&f.maxDays, "max-days", stats.DefaultMaxDays, "longest range allowed, in days")
	fs.Var(&f.params, "p", "old form name=value (site, from, to, tz, metrics, by, limit, compare); repeatable")
	fs.BoolVar(&f.list, "list", false, "list the reports, one line each")
	fs.BoolVar(&f.sql, "sql", false, "print the report's SQL (values written in) instead of running it")
	fs.BoolVar(&f.events, "events-only", false, "read events alone, not the visits rollup (the same answer, slower)")
}

// question builds the engine's question from the flags and the report.
func (f *queryFlags) question(report string) (stats.Question, error) {
	for _, p := range f.params {
		k, v, _ := strings.Cut(p, "=")
		dst := map[string]*string{"site": &f.site, "from": &f.from, "to": &f.to, "tz": &f.tz, "metrics": &f.metrics,
			"by": &f.by, "limit": &f.limit, "compare": &f.compare}[k]
		if dst == nil {
			return stats.Question{}, collector.Errorf(collector.EInvalid, "p", "unknown parameter %q", k)
		}
		*dst = v
	}
	limit, err := stats.ParseLimit(f.limit)
	if err != nil {
		return stats.Question{}, err
	}
	return stats.Question{Report: report, Site: f.site, From: f.from, To: f.to, TZ: f.tz,
		Metrics: stats.ParseList(f.metrics), By: f.by, Filters: f.filters, Compare: f.compare, Limit: limit,
		Steps: stats.ParseList(f.steps), Window: f.window, Page: f.page}, nil
}

// runQuery answers a stats report (collector/stats, the engine of the
// admin API's /stats/{report}) and prints it as a table, CSV or JSON.
func runQuery(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "interests" {
		return runInterests(ctx, args[1:], stdout, stderr) // profiles of people, not a report
	}
	fs := flag.NewFlagSet("query", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f queryFlags
	f.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: ashiato query REPORT --site S --from YYYY-MM-DD --to YYYY-MM-DD [--tz TZ] [--metrics a,b] [--by DIM]\n"+
			"         [--filter 'dim op value']... [--compare previous|year] [--limit N] [--format table|csv|json] [--sql]\n"+
			"       ashiato query --list\n"+
			"       ashiato query interests --site S [--visitor V | --user U] [--category C] [--limit N] [--format table|json]")
		fs.PrintDefaults()
	}
	cfg, err := config.Load(fs, interspersed(args, "list", "sql", "events-only", "h", "help"), os.Getenv)
	if err != nil {
		return err
	}
	if f.list {
		for _, r := range stats.Reports() {
			fmt.Fprintf(stdout, "%-12s %s\n", r.Name, r.Doc)
		}
		return nil
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("name one report (see ashiato query --list)")
	}
	q, err := f.question(fs.Arg(0))
	if err != nil {
		return userError(err)
	}
	format, err := outputFormat(f.format, stdout)
	if err != nil {
		return err
	}
	sites := ingest.NewSites(cfg.Sites)
	eng := &stats.Engine{Site: sites.Get, MaxDays: f.maxDays, Log: newLogger(stderr, cfg.LogLevel), Rollup: !f.events}
	if f.sql {
		_, db, err := store.ParseDSN(cfg.DSN)
		if err != nil {
			return err
		}
		eng.Dialect = queries.Dialect{DB: db}
		// With a server, the SQL reads the rollup where it is fresh now,
		// as a run would; without one, events alone.
		if st, err := store.Open(ctx, cfg.Config, false); err == nil {
			defer st.Close()
			onStore(ctx, eng, st)
		}
		return printSQL(eng, q, stdout)
	}
	if _, perr := eng.Plan(q); perr != nil {
		// Refused before any SQL runs; audited like the API's refusals
		// when ClickHouse answers.
		if st, err := store.Open(ctx, cfg.Config, false); err == nil {
			auditQuery(ctx, st, q, perr, eng)
			st.Close()
		}
		return userError(perr)
	}
	st, err := store.Open(ctx, cfg.Config, false)
	if err != nil {
		return err
	}
	defer st.Close()
	onStore(ctx, eng, st)
	ans, err := eng.Run(ctx, q)
	auditQuery(ctx, st, q, err, eng)
	if err != nil {
		return userError(err)
	}
	return printAnswer(stdout, format, ans)
}

// auditQuery writes the CLI's audit row, as the admin API does for its
// stats routes.
func auditQuery(ctx context.Context, st *store.Store, q stats.Question, err error, eng *stats.Engine) {
	status := 200
	if err != nil {
		status = ingest.Status(collector.ErrorCode(err))
	}
	e := store.AuditEntry{TS: time.Now(), Actor: cliActor(), Action: "stats." + q.Report, Method: "CLI",
		Path: "ashiato query " + q.Report, SiteID: q.Site, Detail: q.String(), Status: status}
	if aerr := st.Audit(ctx, e); aerr != nil {
		eng.Log.Error("write audit row", "err", aerr)
	}
}

// userError turns an engine error into the message the CLI prints.
func userError(err error) error {
	var ce *collector.Error
	if errors.As(err, &ce) {
		if ce.Field != "" {
			return fmt.Errorf("%s: %s", ce.Field, ce.Reason)
		}
		return errors.New(ce.Reason)
	}
	return err
}

// printSQL prints the statements of q with their values written in.
func printSQL(eng *stats.Engine, q stats.Question, w io.Writer) error {
	sts, err := eng.Statements(q)
	if err != nil {
		return userError(err)
	}
	for i, st := range sts {
		if i > 0 && st.SQL == sts[0].SQL {
			continue // the totals are the results
		}
		sql, err := stats.Inline(st)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "-- %s: %s\n%s;\n\n", q.Report, st.Name, sql)
	}
	return nil
}

// interspersed moves the positional arguments after the flags, so that
// flags may come before or after the report name. Every flag takes a value
// except the named booleans.
func interspersed(args []string, bools ...string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") || slices.Contains(bools, name) {
			continue
		}
		if i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	return append(flags, pos...)
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
