package main

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/stats"
	"github.com/ashiato/ashiato/collector/stats/statstest"
)

// allMetrics is every metric of the engine.
func allMetrics() []string {
	var out []string
	for _, m := range stats.Metrics() {
		out = append(out, m.Name)
	}
	return out
}

// decimals is how many decimals a metric is rounded to (ties may round
// either way on the server).
var decimals = map[string]int{"views_per_visit": 2, "bounce_rate": 1, "conversion_rate": 2, "engaged_time": 1, "revenue": 2}

// same reports whether an answered value equals the expected one.
func same(metric string, got, want any) bool {
	switch w := want.(type) {
	case float64:
		g, ok := got.(float64)
		return ok && math.Abs(g-w) <= 0.5000001*math.Pow(10, -float64(decimals[metric]))
	case map[string]float64:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k, v := range w {
			if !same("revenue", g[k], v) {
				return false
			}
		}
		return true
	}
	return fmt.Sprint(got) == fmt.Sprint(want)
}

// checkRows compares an answer's results with the expected rows; rows
// only in the answer (the zeros a series adds) must be all zero.
func checkRows(t *testing.T, name string, got []any, want []statstest.Row, dim string, metrics []string, series bool) {
	t.Helper()
	byDim := map[string]map[string]any{}
	var order []string
	for _, g := range got {
		r := g.(map[string]any)
		k := fmt.Sprint(r[dim])
		byDim[k] = r
		order = append(order, k)
	}
	var wantOrder []string
	for _, w := range want {
		k := fmt.Sprint(w["dim"])
		wantOrder = append(wantOrder, k)
		g, ok := byDim[k]
		if !ok {
			t.Errorf("%s: no row %s=%q; want %v", name, dim, k, w)
			continue
		}
		for _, m := range metrics {
			if !same(m, g[m], w[m]) {
				t.Errorf("%s: %s=%q %s = %v, want %v", name, dim, k, m, g[m], w[m])
			}
		}
	}
	if !series {
		if strings.Join(order, "|") != strings.Join(wantOrder, "|") {
			t.Errorf("%s: rows in order %q, want %q", name, order, wantOrder)
		}
		return
	}
	for _, k := range order {
		if !contains(wantOrder, k) {
			for _, m := range metrics {
				if v, _ := byDim[k][m].(float64); v != 0 {
					t.Errorf("%s: %s=%q %s = %v, want a row of zeros", name, dim, k, m, v)
				}
			}
		}
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// question is one breakdown question of the fixture test.
type question struct {
	report, by, from, to, tz string
	metrics                  []string
	filters                  []statstest.Filter
	limit                    int
}

// params renders q as the query string of /admin/api/stats.
func (q question) params() []string {
	p := []string{"site", "demo", "from", q.from, "to", q.to}
	if q.tz != "" {
		p = append(p, "tz", q.tz)
	}
	if q.by != "" {
		p = append(p, "by", q.by)
	}
	if len(q.metrics) > 0 {
		p = append(p, "metrics", strings.Join(q.metrics, ","))
	}
	for _, f := range q.filters {
		p = append(p, "filter", f.Dim+" "+f.Op+" "+f.Value)
	}
	if q.limit > 0 {
		p = append(p, "limit", fmt.Sprint(q.limit))
	}
	return p
}

// expected resolves q's defaults from the report table and computes the
// expected rows and totals.
func (q question) expected(evs []statstest.Event) (statstest.Query, []statstest.Row, statstest.Row) {
	rep, _ := stats.LookupReport(q.report)
	tz := q.tz
	if tz == "" {
		tz = "Asia/Tokyo" // the demo site's time zone
	}
	loc, _ := time.LoadLocation(tz)
	from, to := statstest.Days(q.from, q.to, loc)
	sq := statstest.Query{Dim: rep.By, Metrics: rep.Metrics, From: from, To: to, Loc: loc, Limit: 100, Series: rep.Series, Goal: q.report == "goals"}
	if q.by != "" {
		sq.Dim = q.by
	}
	if len(q.metrics) > 0 {
		sq.Metrics = q.metrics
	}
	if q.limit > 0 {
		sq.Limit = q.limit
	}
	for _, f := range q.filters {
		if f.Dim == "goal" {
			sq.Goals = append(sq.Goals, f)
		} else {
			sq.Filters = append(sq.Filters, f)
		}
	}
	rows, totals := statstest.Breakdown(evs, sq)
	return sq, rows, totals
}

// check asks q through the admin API and compares the answer.
func (e *statsEnv) check(t *testing.T, q question) map[string]any {
	t.Helper()
	evs := statstest.Stored(e.fx)
	sq, want, totals := q.expected(evs)
	name := fmt.Sprintf("%s by=%s tz=%s %s..%s filters=%v", q.report, sq.Dim, q.tz, q.from, q.to, q.filters)
	st, ans := e.stats(t, q.report, q.params()...)
	if st != 200 {
		t.Errorf("%s: %d %v", name, st, ans)
		return ans
	}
	got, _ := ans["results"].([]any)
	dim := sq.Dim
	if dim == "" {
		got = []any{ans["totals"]}
		want = []statstest.Row{totals}
		if len(totals) == 0 {
			want = nil
		}
		for _, r := range want {
			r["dim"] = "<nil>"
		}
	}
	checkRows(t, name, got, want, dim, sq.Metrics, sq.Series)
	return ans
}
