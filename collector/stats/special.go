package stats

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ashiato/ashiato/queries"
)

// MaxSteps is the most steps a funnel may have.
const MaxSteps = 8

// planSpecial checks what funnels, journeys and retention need.
func (p *plan) planSpecial() error {
	switch p.report.kind {
	case kindFunnel:
		if len(p.steps) < 2 || len(p.steps) > MaxSteps {
			return invalid("steps", "a funnel needs 2 to %d steps: --steps /,/pricing,event:signup", MaxSteps)
		}
		for _, s := range p.steps {
			if s == "event:" || !strings.HasPrefix(s, "event:") && !strings.HasPrefix(s, "/") {
				return invalid("steps", "a step is a page path (/pricing) or event:NAME, got %q", s)
			}
		}
		if p.window == 0 {
			p.window = 1800
		}
		if p.window < 1 || p.window > 90*86400 {
			return invalid("window", "want 1 to %d seconds", 90*86400)
		}
	case kindJourneys:
		if p.page == "" {
			return invalid("page", "name the page: --page /pricing (or --filter 'page is /pricing')")
		}
	}
	return nil
}

// funnel renders funnel.sql: one windowFunnel condition per step.
func (p *plan) funnel(r Range) (Statement, error) {
	params := p.baseParams(r)
	params["window"] = p.window
	var steps, match []string
	for i, s := range p.steps {
		k := fmt.Sprintf("s%d", i)
		cond := "tupleElement(%s, 2) = 0 AND tupleElement(%s, 3) = @" + k
		if name, ok := strings.CutPrefix(s, "event:"); ok {
			params[k] = name
			cond = "tupleElement(%s, 2) = 1 AND tupleElement(%s, 3) = @" + k
		} else {
			params[k] = s
		}
		steps = append(steps, fmt.Sprintf(cond, "it", "it"))
		match = append(match, "("+fmt.Sprintf(cond, "x", "x")+")")
	}
	visits, err := p.visitRows(r, params, true)
	if err != nil {
		return Statement{}, err
	}
	data := struct {
		queries.Dialect
		Steps                  []string
		Visits, Match, AnonKey string
	}{p.dialect, steps, visits, strings.Join(match, " OR "), anonKey}
	sql, err := queries.RenderWith("stats/funnel", p.dialect, data)
	return Statement{Name: "results", SQL: sql, Params: params}, err
}

// visitRows renders the visits of the question, one row each
// (visitrows_events.sql, visitrows_visits.sql): from the rollup for its
// fresh days, from events after them; with items, their pageviews and
// custom events in order.
func (p *plan) visitRows(r Range, params map[string]any, items bool) (string, error) {
	vf, _ := splitFilters(p.filters)
	var dims []Dimension
	for _, f := range vf {
		dims = append(dims, f.Dim)
	}
	d := breakdownData{Dialect: p.dialect, VisitCols: visitCols(dims...), Conversion: "0", Started: started, Items: items}
	next := 0
	d.VisitFilter = strings.Join(filterSQL(vf, params, &next), " AND ")
	wfrom, wto := utcDays(r.From, r.To)
	split := p.split(wfrom, wto, p.rollupFiltersOK(""))
	params["split"], params["rfrom"] = split.Unix(), wfrom.Unix()
	var parts []string
	if split.After(wfrom) {
		slice := ""
		if items {
			slice = "items"
		}
		part, err := renderRollupPart("stats/visitrows_visits", p.dialect, slice, "", rollupFilters(vf, params), "", nil)
		if err != nil {
			return "", err
		}
		parts = append(parts, part)
	}
	if split.Before(wto) {
		params["wfrom"] = split.Unix()
		if err := renderVisitEvents(&d, "            "); err != nil {
			return "", err
		}
		part, err := queries.RenderWith("stats/visitrows_events", p.dialect, d)
		if err != nil {
			return "", err
		}
		parts = append(parts, part)
	}
	return unionAll(parts, "        "), nil
}

// retentionPeriods is how many periods of r a cohort is followed for.
func retentionPeriods(r Range, monthly bool) int {
	n := r.Days/7 + 1
	if monthly {
		n = r.Days/28 + 1
	}
	return min(max(n, 1), 53)
}

// retention renders retention.sql for weekly or monthly cohorts.
func (p *plan) retention(r Range) (Statement, error) {
	params := p.baseParams(r)
	monthly := p.dim != nil && p.dim.Name == "month"
	params["periods"] = retentionPeriods(r, monthly)
	visits, err := p.visitRows(r, params, false)
	if err != nil {
		return Statement{}, err
	}
	data := struct {
		queries.Dialect
		Start, Number, Visits string
	}{p.dialect, "toMonday", "toRelativeWeekNum", visits}
	if monthly {
		data.Start, data.Number = "toStartOfMonth", "toRelativeMonthNum"
	}
	sql, err := queries.RenderWith("stats/retention", p.dialect, data)
	return Statement{Name: "results", SQL: sql, Params: params}, err
}

// journeys renders journeys.sql over the visits of the question.
func (p *plan) journeys(r Range) (Statement, error) {
	params := p.baseParams(r)
	params["page"] = p.page
	params["limit"] = p.limit
	vf, _ := splitFilters(p.filters)
	var dims []Dimension
	for _, f := range vf {
		dims = append(dims, f.Dim)
	}
	d := breakdownData{Dialect: p.dialect, VisitCols: visitCols(dims...), Conversion: "0", Started: started}
	next := 0
	d.VisitFilter = strings.Join(filterSQL(vf, params, &next), " AND ")
	wfrom, wto := utcDays(r.From, r.To)
	split := p.split(wfrom, wto, p.rollupFiltersOK(""))
	params["split"], params["rfrom"] = split.Unix(), wfrom.Unix()
	var parts []string
	if split.After(wfrom) {
		part, err := renderRollupPart("stats/paths_visits", p.dialect, "", "", rollupFilters(vf, params), "", nil)
		if err != nil {
			return Statement{}, err
		}
		parts = append(parts, part)
	}
	if split.Before(wto) {
		params["wfrom"] = split.Unix()
		if err := renderVisitEvents(&d, "        "); err != nil {
			return Statement{}, err
		}
		part, err := queries.RenderWith("stats/paths_events", p.dialect, d)
		if err != nil {
			return Statement{}, err
		}
		parts = append(parts, part)
	}
	d.Paths = unionAll(parts, "        ")
	sql, err := queries.RenderWith("stats/journeys", p.dialect, d)
	return Statement{Name: "results", SQL: sql, Params: params}, err
}

// consentDims are the breakdowns of the consent report.
var consentDims = map[string]string{
	"":         "''",
	"method":   "method",
	"revision": "toString(revision)",
	"day":      "toString(toDate(ts, @tz))",
}

// consent renders consent.sql.
func (p *plan) consent(r Range) (Statement, error) {
	name := ""
	if p.dim != nil {
		name = p.dim.Name
	}
	data := struct {
		queries.Dialect
		Dim string
	}{p.dialect, consentDims[name]}
	sql, err := queries.RenderWith("stats/consent", p.dialect, data)
	return Statement{Name: "results", SQL: sql, Params: p.baseParams(r)}, err
}

// statements returns what answers the plan over r: the results, and the
// totals that give the coverage block (and the goals' denominator), each
// with the settings every stats statement asks of the server.
func (p *plan) statements(r Range) ([]Statement, error) {
	sts, err := p.pick(r)
	if err != nil {
		return nil, err
	}
	separate := sts[1].SQL != sts[0].SQL
	for i := range sts {
		set := statementSettings
		switch {
		case p.capThreads > 0:
			set += fmt.Sprintf(", max_threads = %d", p.capThreads)
		case i > 0 && separate && p.threads > 1:
			// The totals run beside the results, which are most of the
			// work (a row per page of every visit against a row per
			// visit): half the server's threads, so that both finish
			// together instead of the totals taking cores from the
			// results and merging their per-thread sets twice.
			set += fmt.Sprintf(", max_threads = %d", p.threads/2)
		}
		sts[i].SQL = strings.TrimRight(sts[i].SQL, " \n;") + set
	}
	return sts, nil
}

// statementSettings ends every stats statement: ClickHouse's cache of
// uncompressed blocks, which its documentation advises for many short
// queries over the same data — a dashboard's, which ask again and again
// of the same recent days. A statement that reads more rows than the
// server's merge_tree_max_rows_to_use_cache (1 Mi by default) passes it
// by; its size is the server's uncompressed_cache_size (docs/SCALING.md).
// And a time limit: a question nobody waits for any more (a client that
// left, a range of years over raw events) stops using the server after
// StatementTimeout seconds (18.16 checks it while reading).
const statementSettings = "\nSETTINGS use_uncompressed_cache = 1, max_execution_time = " + StatementTimeout

// StatementTimeout is the seconds a stats statement may run.
const StatementTimeout = "60"

// pick is the one place that picks the SQL of a report: a report that
// must read a rollup (a materialized view) gets its statement chosen here
// when the question's dimension, filters and metrics are all in the
// rollup's key.
func (p *plan) pick(r Range) ([]Statement, error) {
	if p.report.kind == kindBreakdown && p.dim == nil {
		// Totals only: one statement answers both.
		st, err := p.breakdown("results", r, nil, totalMetrics(p.metrics), 0, false)
		return []Statement{st, st}, err
	}
	var main Statement
	var err error
	switch p.report.kind {
	case kindFunnel:
		main, err = p.funnel(r)
	case kindRetention:
		main, err = p.retention(r)
	case kindJourneys:
		main, err = p.journeys(r)
	case kindConsent:
		main, err = p.consent(r)
	default:
		limit := p.limit
		if p.report.Series {
			limit = 0
		}
		if p.dim == nil || p.dim.Level != EventLevel {
			// A visit is in one row at most: one statement gives the
			// rows and, WITH TOTALS, the totals of every visit.
			main, err = p.breakdown("results", r, p.dim, totalMetrics(p.metrics), limit, true)
			return []Statement{main, main}, err
		}
		main, err = p.breakdown("results", r, p.dim, p.metrics, limit, false)
	}
	if err != nil {
		return nil, err
	}
	ms := totalMetrics(p.metrics)
	if p.report.kind != kindBreakdown {
		// Only the coverage block: its counts, not the costly visitors.
		ms = slices.DeleteFunc(ms, func(m string) bool { return m == "visitors" })
	}
	totals, err := p.breakdown("totals", r, nil, ms, 0, false)
	if err != nil {
		return nil, err
	}
	return []Statement{main, totals}, nil
}

// coverageMetrics are the totals every answer's coverage block needs.
var coverageMetrics = []string{"visitors", "pageviews", "consented_pageviews", "anonymous_pageviews", "consented_visits", "anonymous_visits"}

// totalMetrics are the question's metrics plus the coverage metrics.
func totalMetrics(ms []string) []string {
	out := append([]string{}, ms...)
	for _, m := range coverageMetrics {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}
