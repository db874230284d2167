package stats

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ashiato/ashiato/queries"
)

// The visits rollup (migrations 0027, 0028; kept by collector/rollup)
// holds one row per visit, built per UTC day with the engine's own visit
// SQL. A breakdown or journeys question reads it for the days before
// split, where every day's newest build was made from the events the day
// holds now (Engine.Fresh), and events from split on: the answers are the
// same, only faster. These are the questions it can answer.

// rollupSlice is what slices of the rollup a dimension reads: the visit
// (""), its pages ("page") or its custom events ("event": the dimension's
// scope keeps custom events only).
func rollupSlice(dim *Dimension) (slice string, ok bool) {
	if dim == nil || dim.Level != EventLevel {
		return "", true
	}
	switch {
	case dim.Name == "page":
		return "page", true
	case dim.Name == "event", dim.Name == "goal", strings.HasPrefix(dim.Name, "prop:"): // goal without goal filters: the custom events
		return "event", true
	}
	return "", false
}

// rollupMetricsOK: the event slices keep no engaged time or scroll depth.
func rollupMetricsOK(slice string, metrics []string) bool {
	return slice != "event" || !slices.ContainsFunc(metrics, func(m string) bool { return m == "engaged_time" || m == "scroll_depth" })
}

// rollupFiltersOK: the rollup filters on visit attributes, and the
// custom-event slices on the event's name and properties too; it knows
// conversions only as custom events (no goal filter).
func (p *plan) rollupFiltersOK(slice string) bool {
	if p.report.Realtime || len(p.goals) > 0 {
		return false
	}
	for _, f := range p.filters {
		event := f.Dim.Name == "event" || strings.HasPrefix(f.Dim.Name, "prop:")
		if f.Dim.Level != VisitLevel && !(slice == "event" && event) {
			return false
		}
	}
	return true
}

// rollupPlan says which slices of the rollup answer a breakdown by dim,
// or false. A question by a visit attribute (or none) whose event filters
// can only match custom events (a name that is, contains or starts with
// a non-empty value) reads the custom-event slices with a visit-level
// value.
func (p *plan) rollupPlan(dim *Dimension, metrics []string) (string, bool) {
	slice, ok := rollupSlice(dim)
	if !ok || p.report.Realtime {
		return "", false
	}
	if slice == "" {
		for _, f := range p.filters {
			if f.Dim.Level == VisitLevel {
				continue
			}
			if f.Dim.Name != "event" || f.Op == "is_not" || f.Value == "" {
				return "", false
			}
			slice = "event"
		}
	}
	return slice, p.rollupFiltersOK(slice) && rollupMetricsOK(slice, metrics)
}

// rollupExpr reads a dimension from a row of the visits table.
func rollupExpr(d Dimension) string {
	switch {
	case d.Level == TimeLevel:
		return d.Expr // over v_start, the alias of start
	case d.Name == "page":
		return "page"
	case d.Level == EventLevel: // over the custom events' e_* names
		return d.Expr
	case d.Column != "":
		return d.Column
	}
	return d.Name // entry_page, exit_page
}

// rollupFilters renders the question's filters over the visits table.
func rollupFilters(fs []Filter, params map[string]any) []string {
	out := make([]Filter, len(fs))
	for i, f := range fs {
		f.Dim.Expr = rollupExpr(f.Dim)
		out[i] = f
	}
	next := 0
	return filterSQL(out, params, &next)
}

// split returns where r's rollup days end: the start of the first UTC day
// of [wfrom, wto) the rollup cannot answer (wfrom when it answers none).
func (p *plan) split(wfrom, wto time.Time, usable bool) time.Time {
	if !usable || p.fresh == nil {
		return wfrom
	}
	s := p.fresh(wfrom, wto)
	switch {
	case s.Before(wfrom):
		return wfrom
	case s.After(wto):
		return wto
	}
	return s
}

// unionAll joins the parts of a statement's FROM, each indented by ind.
func unionAll(parts []string, ind string) string {
	for i := range parts {
		parts[i] = indent(parts[i], ind)
	}
	return strings.Join(parts, "\n"+ind+"UNION ALL\n")
}

// rollupPart is what a slices_visits, paths_visits or visitrows_visits
// part is rendered from.
type rollupPart struct {
	queries.Dialect
	Slice, Dim, EventFilter, Where string
	Props                          bool // the custom events' properties are read (their arrays are joined)
	PerEvent                       bool
	// The page slices' arrays joined besides page_paths: only those the
	// metrics read (ARRAY JOIN copies every array it names, read or not).
	Views, Engaged, Scroll bool
}

// renderRollupPart renders name: filters on the visit, and eventFilter on
// the custom events of the "event" slices; metrics (nil for none) choose
// the page arrays and whether custom events can be read one row each.
func renderRollupPart(name string, d queries.Dialect, slice, dim string, filters []string, eventFilter string, metrics []string) (string, error) {
	where, err := queries.RenderWith("stats/rollup_where", d, struct {
		queries.Dialect
		Filters []string
	}{d, filters})
	if err != nil {
		return "", err
	}
	part := rollupPart{Dialect: d, Slice: slice, Dim: dim, EventFilter: eventFilter, Where: where,
		Props: strings.Contains(dim+eventFilter, "e_prop_"), PerEvent: metrics != nil && perEventOK(metrics)}
	for _, c := range metricCols(metrics) {
		part.Views = part.Views || strings.Contains(c.Expr, "s_pageviews")
		part.Engaged = part.Engaged || strings.Contains(c.Expr, "s_engaged_ms")
		part.Scroll = part.Scroll || strings.Contains(c.Expr, "s_scroll_")
	}
	return queries.RenderWith(name, d, part)
}

// perEventMetrics are the metrics that one row per custom event answers
// as one row per (value, visit) slice would.
var perEventMetrics = []string{"visitors", "events", "conversions", "conversion_rate", "revenue"}

// perEventOK says whether metrics can read custom events one row each.
func perEventOK(metrics []string) bool {
	for _, m := range metrics {
		if !slices.Contains(perEventMetrics, m) {
			return false
		}
	}
	return true
}

// rollupCols are the columns of the visits rollup copied from a visit's
// first event (and user_id, any the visit carried), in migration 0027.
var rollupCols = []string{"referrer_source", "referrer_host", "referrer_name", "utm_source", "utm_medium", "utm_campaign",
	"utm_term", "utm_content", "click_id_type", "browser", "browser_version", "os", "os_version", "device_type", "country",
	"lang", "screen", "user_id"}

// BuildStatement is the INSERT that builds the visits rollup of one site
// and UTC day (queries/stats/visits_build.sql). Parameters: site, day
// (YYYY-MM-DD), wfrom and wto (the day, Unix seconds), version.
func BuildStatement(d queries.Dialect) (string, error) {
	data := breakdownData{Dialect: d, Conversion: "0"}
	for _, c := range rollupCols {
		data.VisitCols = append(data.VisitCols, visitCol{Name: c, Column: c})
	}
	if err := renderVisitEvents(&data, "        "); err != nil {
		return "", err
	}
	return queries.RenderWith("stats/visits_build", d, data)
}

// freshStatements are what Fresh compares: each UTC day's events (bots
// excluded) now, and what the day's newest rollup build was made from.
const (
	freshEvents = `SELECT toString(toDate(ts, 'UTC')) AS d, countIf(is_bot = 0) AS n FROM %s.events
WHERE site_id = @site AND ts >= toDateTime(@wfrom) AND ts < toDateTime(@wto) GROUP BY d`
	freshBuilt = `SELECT toString(day) AS d, argMax(events, version) AS n FROM %s.visits_days
WHERE site_id = @site AND day >= toDate(toDateTime(@wfrom), 'UTC') AND day < toDate(toDateTime(@wto), 'UTC') GROUP BY d`
)

// Fresh returns where the visits rollup of site stops answering for
// [wfrom, wto) (whole UTC days): the start of the first day whose newest
// build was not made from as many events as the day holds now (a late
// event, an erasure or retention the rollup job has not caught up with,
// or events and no build yet), wto when every day is fresh. On an error it answers
// wfrom: the engine then reads events, slower but right.
func (e *Engine) Fresh(ctx context.Context, site string, wfrom, wto time.Time) time.Time {
	if e.FreshFor <= 0 {
		return e.fresh1(ctx, site, wfrom, wto)
	}
	key := freshKey{site, wfrom.Unix(), wto.Unix()}
	e.freshMu.Lock()
	if e.freshAt == nil {
		e.freshAt = map[freshKey]*freshCall{}
	}
	now := time.Now()
	if c, ok := e.freshAt[key]; ok && (c.at.IsZero() || now.Sub(c.at) < e.FreshFor) {
		e.freshMu.Unlock()
		<-c.done // a check in flight is shared: a dashboard's dozen reports arrive at once
		return c.split
	}
	for k, c := range e.freshAt { // expired checks go: the map holds a few seconds of questions
		if !c.at.IsZero() && now.Sub(c.at) >= e.FreshFor {
			delete(e.freshAt, k)
		}
	}
	c := &freshCall{done: make(chan struct{})}
	e.freshAt[key] = c
	e.freshMu.Unlock()

	c.split = e.fresh1(ctx, site, wfrom, wto)
	e.freshMu.Lock()
	c.at = time.Now()
	if ctx.Err() != nil { // a check cut short answered "events": right but slow, not worth keeping
		delete(e.freshAt, key)
	}
	e.freshMu.Unlock()
	close(c.done)
	return c.split
}

type freshKey struct {
	site     string
	from, to int64
}

// freshCall is one check: in flight while at is zero, then kept FreshFor.
type freshCall struct {
	done  chan struct{}
	split time.Time
	at    time.Time
}

// fresh1 is Fresh without the cache.
func (e *Engine) fresh1(ctx context.Context, site string, wfrom, wto time.Time) time.Time {
	params := map[string]any{"site": site, "wfrom": wfrom.Unix(), "wto": wto.Unix()}
	counts := func(sql string) (map[string]uint64, error) {
		rows, _, err := e.query(ctx, Statement{Name: "fresh", SQL: fmt.Sprintf(sql, e.Dialect.DB), Params: params})
		out := map[string]uint64{}
		for _, r := range rows {
			day, _ := r["d"].(string)
			n, _ := r["n"].(uint64)
			out[day] = n
		}
		return out, err
	}
	now, err := counts(freshEvents)
	if err != nil {
		return wfrom
	}
	built, err := counts(freshBuilt)
	if err != nil {
		return wfrom
	}
	for d := wfrom; d.Before(wto); d = d.Add(24 * time.Hour) {
		day := d.Format(time.DateOnly)
		if n, ok := built[day]; n != now[day] || !ok && now[day] > 0 { // a day without events needs no build
			return d
		}
	}
	return wto
}
