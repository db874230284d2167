package statstest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/stats"
)

// AllMetrics is every metric of the engine.
func AllMetrics() []string {
	var out []string
	for _, m := range stats.Metrics() {
		out = append(out, m.Name)
	}
	return out
}

// decimals is how many decimals a metric is rounded to (ties may round
// either way on the server).
var decimals = map[string]int{"views_per_visit": 2, "bounce_rate": 1, "conversion_rate": 2, "engaged_time": 1, "revenue": 2}

// Same reports whether an answered value equals the expected one.
func Same(metric string, got, want any) bool {
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
			if !Same("revenue", g[k], v) {
				return false
			}
		}
		return true
	}
	return fmt.Sprint(got) == fmt.Sprint(want)
}

// CheckRows compares an answer's results with the expected rows; rows
// only in the answer (the zeros a series adds) must be all zero.
func CheckRows(t testing.TB, name string, got []any, want []Row, dim string, metrics []string, series bool) {
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
			if !Same(m, g[m], w[m]) {
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
		if !slices.Contains(wantOrder, k) {
			for _, m := range metrics {
				if v, _ := byDim[k][m].(float64); v != 0 {
					t.Errorf("%s: %s=%q %s = %v, want a row of zeros", name, dim, k, m, v)
				}
			}
		}
	}
}

// Question is one breakdown question of the fixture test.
type Question struct {
	Report, By, From, To, TZ string
	Metrics                  []string
	Filters                  []Filter
	Limit                    int
}

// Params renders q as the query string of /admin/api/stats.
func (q Question) Params() []string {
	p := []string{"site", "demo", "from", q.From, "to", q.To}
	if q.TZ != "" {
		p = append(p, "tz", q.TZ)
	}
	if q.By != "" {
		p = append(p, "by", q.By)
	}
	if len(q.Metrics) > 0 {
		p = append(p, "metrics", strings.Join(q.Metrics, ","))
	}
	for _, f := range q.Filters {
		p = append(p, "filter", f.Dim+" "+f.Op+" "+f.Value)
	}
	if q.Limit > 0 {
		p = append(p, "limit", fmt.Sprint(q.Limit))
	}
	return p
}

// Expected resolves q's defaults from the report table and computes the
// expected rows and totals.
func (q Question) Expected(evs []Event) (Query, []Row, Row) {
	rep, _ := stats.LookupReport(q.Report)
	tz := q.TZ
	if tz == "" {
		tz = "Asia/Tokyo" // the demo site's time zone
	}
	loc, _ := time.LoadLocation(tz)
	from, to := Days(q.From, q.To, loc)
	sq := Query{Dim: rep.By, Metrics: rep.Metrics, From: from, To: to, Loc: loc, Limit: 100, Series: rep.Series, Goal: q.Report == "goals"}
	if q.By != "" {
		sq.Dim = q.By
	}
	if len(q.Metrics) > 0 {
		sq.Metrics = q.Metrics
	}
	if q.Limit > 0 {
		sq.Limit = q.Limit
	}
	for _, f := range q.Filters {
		if f.Dim == "goal" {
			sq.Goals = append(sq.Goals, f)
		} else {
			sq.Filters = append(sq.Filters, f)
		}
	}
	rows, totals := Breakdown(evs, sq)
	return sq, rows, totals
}

// Stats returns q as the engine's question.
func (q Question) Stats() stats.Question {
	var fs []string
	for _, f := range q.Filters {
		fs = append(fs, f.Dim+" "+f.Op+" "+f.Value)
	}
	return stats.Question{Report: q.Report, Site: Site, From: q.From, To: q.To, TZ: q.TZ, Metrics: q.Metrics,
		By: q.By, Filters: fs, Limit: q.Limit}
}
