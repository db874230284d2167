package stats

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/queries"
)

// DefaultMaxDays is the longest range a question may ask for when the
// engine is not configured otherwise: ten years.
const DefaultMaxDays = 3660

// DefaultLimit is the rows of a breakdown when the question names none.
const DefaultLimit = 100

// Engine answers questions from the events table of one ClickHouse.
type Engine struct {
	Conn    driver.Conn
	Dialect queries.Dialect
	// Site returns a configured site, or nil: unknown sites are refused.
	Site func(id string) *collector.Site
	// Runner, when set, runs the statements instead of Conn: the chDB check
	// runs them on an in-process ClickHouse 26 (queries/chdbcheck). It is
	// called from several goroutines at once.
	Runner func(ctx context.Context, st Statement) ([]Row, error)
	// Rollup reads the visits rollup (collector/rollup keeps it) for the
	// days where it is fresh; false reads events alone.
	Rollup bool
	// FreshFor keeps Fresh's answer for a site and range this long (0: ask
	// every time): a dashboard's dozen reports share one check; an answer
	// then lags a change of the events by at most this, as it lags the
	// hits still in the spool.
	FreshFor time.Duration
	freshMu  sync.Mutex
	freshAt  map[freshKey]*freshCall
	// Archive, when set, answers the questions of sites' default views
	// computed ahead (Run).
	Archive *Archive
	// Threads is the server's max_threads (store.Store.MaxThreads): a
	// totals statement asked beside its results gets half of them; 0
	// leaves every statement at the server's default.
	Threads int
	MaxDays int              // longest range in days; 0 = DefaultMaxDays
	Now     func() time.Time // realtime's clock; nil = time.Now
	Log     *slog.Logger
}

// plan is a validated question.
type plan struct {
	report  Report
	dialect queries.Dialect
	threads int // Engine.Threads
	// capThreads > 0: every statement's max_threads (the archive's 1).
	capThreads int
	site       string
	tz         string
	rng        Range
	metrics    []string
	dim        *Dimension
	filters    []Filter
	goals      []Filter // goal filters: what counts as a conversion
	compare    string
	limit      int
	steps      []string
	window     int
	page       string
	// fresh returns the end of the rollup's usable days in [wfrom, wto)
	// (Engine.Fresh); nil reads events alone.
	fresh func(wfrom, wto time.Time) time.Time
}

// Plan validates q. Every error is a *collector.Error naming the field.
func (e *Engine) Plan(q Question) (*plan, error) {
	rep, ok := LookupReport(q.Report)
	if !ok {
		return nil, invalid("report", "unknown report %q (see ashiato query --list)", q.Report)
	}
	p := &plan{report: rep, dialect: e.Dialect, threads: e.Threads, site: q.Site, compare: q.Compare, steps: q.Steps, window: q.Window, page: q.Page}
	if err := e.planRange(p, q); err != nil {
		return nil, err
	}
	if err := p.planDim(q.By); err != nil {
		return nil, err
	}
	if err := p.planMetrics(q.Metrics); err != nil {
		return nil, err
	}
	if err := p.planFilters(q.Filters); err != nil {
		return nil, err
	}
	if q.Compare != "" && q.Compare != "previous" && q.Compare != "year" {
		return nil, invalid("compare", "want previous or year, got %q", q.Compare)
	}
	p.limit = q.Limit
	if p.limit == 0 {
		p.limit = DefaultLimit
	}
	if p.limit < 0 || p.limit > MaxLimit {
		return nil, invalid("limit", "want a number from 1 to %d", MaxLimit)
	}
	return p, p.planSpecial()
}

// planRange checks the site and turns the days into instants in the zone.
func (e *Engine) planRange(p *plan, q Question) error {
	if q.Site == "" {
		return invalid("site", "name a site")
	}
	site := e.Site(q.Site)
	if site == nil {
		return collector.Errorf(collector.ENotFound, "site", "no such site %q", q.Site)
	}
	p.tz = q.TZ
	if p.tz == "" {
		p.tz = site.TimeZone
	}
	if p.tz == "" {
		p.tz = "UTC"
	}
	loc, err := time.LoadLocation(p.tz)
	if err != nil || p.tz == "Local" || strings.ContainsAny(p.tz, "'\\") {
		return invalid("tz", "unknown time zone %q: want an IANA name like Asia/Tokyo", p.tz)
	}
	if p.report.Realtime {
		now := e.now().UTC()
		p.rng = Range{FromDay: now.Format(time.DateOnly), ToDay: now.Format(time.DateOnly),
			From: now.Add(-30 * time.Minute), To: now.Add(time.Second), Loc: loc, Days: 1}
		return nil
	}
	if q.From == "" {
		return invalid("from", "name the first day: YYYY-MM-DD")
	}
	if q.To == "" {
		return invalid("to", "name the last day: YYYY-MM-DD")
	}
	maxDays := e.MaxDays
	if maxDays == 0 {
		maxDays = DefaultMaxDays
	}
	p.rng, err = ParseRange(q.From, q.To, loc, maxDays)
	return err
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// planDim resolves the dimension: the report's default or --by.
func (p *plan) planDim(by string) error {
	name := p.report.By
	if by != "" {
		name = by
	}
	if p.report.ByChoices != nil && !slices.Contains(p.report.ByChoices, name) {
		return invalid("by", "%s is broken down by one of: %s", p.report.Name, strings.Join(nonEmpty(p.report.ByChoices), ", "))
	}
	if p.report.kind != kindBreakdown {
		if name != "" {
			d := Dimension{Name: name}
			p.dim = &d
		}
		return nil
	}
	if name == "" {
		if p.report.Name == "props" {
			return invalid("by", "props needs --by prop:KEY (an event property)")
		}
		return nil
	}
	d, ok := LookupDimension(name, "by_key")
	if !ok {
		return invalid("by", "unknown dimension %q (see docs/METRICS.md)", name)
	}
	p.dim = &d
	return nil
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// planMetrics resolves the metrics: the report's defaults or --metrics.
func (p *plan) planMetrics(names []string) error {
	if len(names) == 0 {
		p.metrics = p.report.Metrics
		return nil
	}
	if p.report.kind != kindBreakdown {
		return invalid("metrics", "%s has fixed columns; it takes no --metrics", p.report.Name)
	}
	for _, n := range names {
		if _, ok := LookupMetric(n); !ok {
			return invalid("metrics", "unknown metric %q (see docs/METRICS.md)", n)
		}
		if !slices.Contains(p.metrics, n) {
			p.metrics = append(p.metrics, n)
		}
	}
	return nil
}

// planFilters parses the filters; goal filters define conversions.
func (p *plan) planFilters(fs []string) error {
	if len(fs) > MaxFilters {
		return invalid("filter", "at most %d filters", MaxFilters)
	}
	for i, s := range fs {
		f, err := ParseFilter(s, fmt.Sprintf("f%d", i))
		if err != nil {
			return err
		}
		switch {
		case f.Dim.Name == "goal":
			p.goals = append(p.goals, f)
		case p.report.kind == kindJourneys && f.Dim.Name == "page" && f.Op == "is" && p.page == "":
			p.page = f.Value
		case p.report.kind == kindConsent:
			return invalid("filter", "the consent report takes no filters")
		case p.report.kind == kindFunnel || p.report.kind == kindRetention:
			if f.Dim.Level != VisitLevel || f.Dim.Column == "" {
				return invalid("filter", "%s filters only on visit attributes (source, utm, device, browser, os, country, language, screen)", p.report.Name)
			}
			p.filters = append(p.filters, f)
		default:
			p.filters = append(p.filters, f)
		}
	}
	return nil
}

// useRollup lets p read the visits rollup where it is fresh.
func (e *Engine) useRollup(ctx context.Context, p *plan) {
	if e.Rollup && (e.Conn != nil || e.Runner != nil) {
		p.fresh = func(wfrom, wto time.Time) time.Time { return e.Fresh(ctx, p.site, wfrom, wto) }
	}
}

// Statements returns the statements that answer q (without running them):
// the results, then the totals behind the coverage block.
func (e *Engine) Statements(q Question) ([]Statement, error) {
	p, err := e.Plan(q)
	if err != nil {
		return nil, err
	}
	e.useRollup(context.Background(), p)
	return p.statements(p.rng)
}
