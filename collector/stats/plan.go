package stats

import (
	"strings"
	"time"

	"github.com/ashiato/ashiato/queries"
)

// started keeps the visits that started in the range: a visit counts,
// whole, in the range and the time bucket where it began.
const started = "v_start >= toDateTime(@from) AND v_start < toDateTime(@to)"

// baseParams are the parameters of every statement over a range: the
// range, and the whole UTC days around it that hold its visits (a visit
// ends at midnight UTC); realtime reads its window alone.
func (p *plan) baseParams(r Range) map[string]any {
	wfrom, wto := r.From, r.To
	if !p.report.Realtime {
		wfrom, wto = utcDays(r.From, r.To)
	}
	return map[string]any{"site": p.site, "from": r.From.Unix(), "to": r.To.Unix(), "tz": p.tz,
		"wfrom": wfrom.Unix(), "wto": wto.Unix()}
}

// utcDays returns the whole UTC days that hold [from, to).
func utcDays(from, to time.Time) (time.Time, time.Time) {
	f := from.UTC().Truncate(24 * time.Hour)
	t := to.UTC().Truncate(24 * time.Hour)
	if t.Before(to) {
		t = t.Add(24 * time.Hour)
	}
	return f, t
}

// splitFilters separates the filters read from visits from those read
// from events.
func splitFilters(fs []Filter) (visit, event []Filter) {
	for _, f := range fs {
		if f.Dim.Level == VisitLevel {
			visit = append(visit, f)
		} else {
			event = append(event, f)
		}
	}
	return visit, event
}

// breakdown renders breakdown.sql over r: metrics by dim (nil: totals),
// with the question's filters; limit 0 = all rows.
func (p *plan) breakdown(name string, r Range, dim *Dimension, metrics []string, limit int, totals bool) (Statement, error) {
	params := p.baseParams(r)
	vf, ef := splitFilters(p.filters)
	dims := []Dimension{}
	if dim != nil {
		dims = append(dims, *dim)
	}
	for _, f := range vf {
		dims = append(dims, f.Dim)
	}
	d := breakdownData{Dialect: p.dialect, VisitCols: visitCols(dims...), Started: started}
	next := 0
	d.VisitFilter = strings.Join(filterSQL(vf, params, &next), " AND ")
	d.Dim = "''"
	where := filterSQL(ef, params, &next)
	if dim != nil {
		d.Dim = dim.Expr
		d.EventDim = dim.Level == EventLevel
		if strings.HasPrefix(dim.Name, "prop:") {
			params["by_key"] = strings.TrimPrefix(dim.Name, "prop:")
		}
		if dim.Scope != "" {
			where = append([]string{dim.Scope}, where...)
		}
	}
	d.EventFilter = "1"
	if len(where) > 0 {
		d.EventFilter = "(" + strings.Join(where, " AND ") + ")"
	}
	d.Conversion = conversionSQL(p.goals, params)
	wfrom, wto := utcDays(r.From, r.To)
	slice, ok := p.rollupPlan(dim, metrics)
	split := p.split(wfrom, wto, ok)
	params["split"] = split.Unix()
	params["rfrom"] = wfrom.Unix()
	var parts []string
	if split.After(wfrom) {
		rd := "''"
		if dim != nil {
			rd = rollupExpr(*dim)
		}
		part, err := renderRollupPart("stats/slices_visits", p.dialect, slice, rd, rollupFilters(vf, params), d.EventFilter, metrics)
		if err != nil {
			return Statement{}, err
		}
		parts = append(parts, part)
	}
	if p.report.Realtime || split.Before(wto) {
		if !p.report.Realtime {
			params["wfrom"] = split.Unix()
		}
		ind := "        "
		if d.EventDim {
			ind = "            "
		}
		if err := renderVisitEvents(&d, ind); err != nil {
			return Statement{}, err
		}
		part, err := queries.RenderWith("stats/slices_events", p.dialect, d)
		if err != nil {
			return Statement{}, err
		}
		parts = append(parts, part)
	}
	d.Slices = unionAll(parts, "    ")
	d.Metrics = metricCols(metrics)
	d.OrderBy = orderBy(dim, metrics, p.report.Series)
	if limit > 0 {
		d.Limit = true
		params["limit"] = limit
	}
	d.Totals = totals
	sql, err := queries.RenderWith("stats/breakdown", p.dialect, d)
	return Statement{Name: name, SQL: sql, Params: params, Totals: totals}, err
}

// orderBy sorts a breakdown by its first metric, largest first, then by
// the value; a time series by time.
func orderBy(dim *Dimension, metrics []string, series bool) string {
	if dim == nil || series || dim.Level == TimeLevel {
		return "dim"
	}
	for _, m := range metrics {
		if m != "revenue" {
			return m + " DESC, dim"
		}
	}
	return "dim"
}

// indent indents every line of s, to nest a statement readably.
func indent(s, by string) string { return by + strings.ReplaceAll(s, "\n", "\n"+by) }
