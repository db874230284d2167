package stats

import (
	"fmt"
	"strings"

	"github.com/ashiato/ashiato/queries"
)

// Statement is one SQL statement of an answer with its bound parameters.
type Statement struct {
	Name   string // what it computes: "results", "totals", …
	SQL    string
	Params map[string]any
}

// visitCol is a visit-level column carried from the events into visits.sql.
type visitCol struct {
	Name, Column string
	Index        int // position in the event tuple (1-based)
}

// selectCol is one metric column of breakdown.sql.
type selectCol struct{ Expr, Name string }

// breakdownData is the dot of queries/stats/breakdown.sql and visits.sql.
type breakdownData struct {
	queries.Dialect
	VisitCols   []visitCol
	VisitFilter string
	Visits      string
	Dim         string
	Conversion  string
	EventFilter string
	Metrics     []selectCol
	OrderBy     string
	Limit       bool
}

// firstVisitCol is the tuple position of the first visit-level column in
// visits.sql (after ts … scroll_depth).
const firstVisitCol = 10

// visitCols returns the visit-level columns that dims need, once each.
func visitCols(dims ...Dimension) []visitCol {
	var out []visitCol
	seen := map[string]bool{}
	for _, d := range dims {
		if d.Level != VisitLevel || d.Column == "" || seen[d.Name] {
			continue
		}
		seen[d.Name] = true
		out = append(out, visitCol{Name: d.Name, Column: d.Column, Index: firstVisitCol + len(out)})
	}
	return out
}

// metricCols renders the metric columns; revenue is two columns (the
// currencies and the amounts), joined again by the engine.
func metricCols(names []string) []selectCol {
	var out []selectCol
	for _, n := range names {
		if n == "revenue" {
			sum := "sumMap(s_rev_keys, s_rev_amounts)"
			out = append(out,
				selectCol{"arrayMap(x -> reinterpretAsString(x), tupleElement(" + sum + ", 1))", "revenue_currencies"},
				selectCol{"tupleElement(" + sum + ", 2)", "revenue_amounts"})
			continue
		}
		m, _ := LookupMetric(n)
		out = append(out, selectCol{m.Expr, n})
	}
	return out
}

// filterSQL renders filters as a conjunction, binding the value of the
// filter numbered n as f<n> (and a property key as f<n>k); n counts on
// from *next.
func filterSQL(fs []Filter, params map[string]any, next *int) []string {
	var parts []string
	for _, f := range fs {
		p := fmt.Sprintf("f%d", *next)
		*next++
		if k, ok := strings.CutPrefix(f.Dim.Name, "prop:"); ok {
			params[p+"k"] = k
			f.Dim.Expr = propExpr(p + "k")
		}
		params[p] = f.Value
		parts = append(parts, operators[f.Op](f.Dim.Expr, p))
	}
	return parts
}

// conversionSQL says which events are conversions: every custom event, or
// the events and pageviews the goal filters name (any of them).
func conversionSQL(goals []Filter, params map[string]any) string {
	if len(goals) == 0 {
		return "e_type = 'event'"
	}
	var parts []string
	for i, g := range goals {
		p := fmt.Sprintf("g%d", i)
		params[p] = g.Value
		op := operators[g.Op]
		parts = append(parts, "(e_type = 'event' AND "+op("e_name", p)+") OR (e_type = 'pageview' AND "+op("e_path", p)+")")
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}
