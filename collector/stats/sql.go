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
	// Totals: the statement ends its GROUP BY WITH TOTALS, whose row
	// gives the totals (and the coverage block) of the answer.
	Totals bool
}

// visitCol is a visit-level column carried from the events into the visit.
type visitCol struct{ Name, Column string }

// selectCol is one metric column of breakdown.sql.
type selectCol struct{ Expr, Name string }

// breakdownData is the dot of queries/stats/breakdown.sql, journeys.sql
// and visit_events.sql.
type breakdownData struct {
	queries.Dialect
	VisitCols   []visitCol
	VisitFilter string
	VisitEvents string // visit_events.sql, rendered
	VisitAttrs  string // the select list of a visit's attributes
	EventDim    bool   // the dimension is read from events: slices need their events
	Dim         string
	Conversion  string
	EventFilter string
	Metrics     []selectCol
	OrderBy     string
	Limit       bool
	Totals      bool   // GROUP BY … WITH TOTALS
	Started     string // keeps the visits that started in the range
	Slices      string // the FROM of breakdown.sql: slices_events and/or slices_visits
	Paths       string // the FROM of journeys.sql: paths_events and/or paths_visits
	Items       bool   // visitrows_events.sql: each visit's pageviews and custom events
}

// visitAttrs renders the select list that computes a visit's attributes
// from its events (GROUP BY actor, vn), indented by ind.
func visitAttrs(cols []visitCol, ind string) string {
	lines := []string{"actor", "vn", "if(any(e_vid) = '', toUInt64(0), cityHash64(any(e_vid))) AS v_vkey", "any(e_vhash) AS v_vhash", "min(e_ts) AS v_start", "max(e_ts) AS v_end",
		"countIf(e_type = 'pageview') AS v_pageviews", "countIf(e_type = 'event') AS v_events",
		"argMinIf(e_path, (e_ts, e_id), e_type = 'pageview') AS v_entry_page", "argMaxIf(e_path, (e_ts, e_id), e_type = 'pageview') AS v_exit_page"}
	for _, c := range cols {
		lines = append(lines, "argMin(c_"+c.Name+", (e_ts, e_id)) AS v_"+c.Name)
	}
	return ind + strings.Join(lines, ",\n"+ind)
}

// renderVisitEvents renders visit_events.sql and the visit attributes
// into d, indented to nest at depth ind.
func renderVisitEvents(d *breakdownData, ind string) error {
	ve, err := queries.RenderWith("stats/visit_events", d.Dialect, d)
	if err != nil {
		return err
	}
	d.VisitEvents = indent(ve, ind+"    ")
	d.VisitAttrs = visitAttrs(d.VisitCols, ind)
	return nil
}

// visitCols returns the visit-level columns that dims need, once each.
func visitCols(dims ...Dimension) []visitCol {
	var out []visitCol
	seen := map[string]bool{}
	for _, d := range dims {
		if d.Level != VisitLevel || d.Column == "" || seen[d.Name] {
			continue
		}
		seen[d.Name] = true
		out = append(out, visitCol{Name: d.Name, Column: d.Column})
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
