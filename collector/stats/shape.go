package stats

import (
	"fmt"
	"math"
	"time"
)

// Coverage says how much of an answer rests on consented and on anonymous
// traffic, and where a number must not be read as exact (docs/METRICS.md).
type Coverage struct {
	Pageviews          uint64  `json:"pageviews"`
	ConsentedPageviews uint64  `json:"consented_pageviews"`
	AnonymousPageviews uint64  `json:"anonymous_pageviews"`
	ConsentedShare     float64 `json:"consented_share"` // of pageviews, 0–1
	AnonymousShare     float64 `json:"anonymous_share"`
	ConsentedVisits    uint64  `json:"consented_visits"`
	AnonymousVisits    uint64  `json:"anonymous_visits"`
	// VisitorsEstimate is true when visitors sums anonymous visitors over
	// several days: the same person is counted once per day.
	VisitorsEstimate bool     `json:"visitors_estimate"`
	Flags            []string `json:"flags"`
}

// Coverage flags.
const (
	FlagVisitorsEstimate = "visitors_estimate"         // anonymous uniques summed over days
	FlagInferredVisits   = "anonymous_visits_inferred" // 30-minute inactivity rule
	FlagConsentedOnly    = "consented_only"            // anonymous traffic left out (retention)
	FlagAnonymousPerDay  = "anonymous_per_day"         // an anonymous visitor is followed within one UTC day only
	FlagNoData           = "no_data"
)

// coverage builds the block from the totals of the range.
func coverage(t Row, p *plan, r Range) Coverage {
	u := func(k string) uint64 { f, _ := number(t[k]); return uint64(f) }
	c := Coverage{Pageviews: u("pageviews"), ConsentedPageviews: u("consented_pageviews"), AnonymousPageviews: u("anonymous_pageviews"),
		ConsentedVisits: u("consented_visits"), AnonymousVisits: u("anonymous_visits"), Flags: []string{}}
	if c.Pageviews > 0 {
		c.ConsentedShare = round(float64(c.ConsentedPageviews)/float64(c.Pageviews), 4)
		c.AnonymousShare = round(float64(c.AnonymousPageviews)/float64(c.Pageviews), 4)
	}
	// Anonymous uniques are per salt, a UTC day: a range over more than one
	// (any day of a zone other than UTC) sums them.
	wfrom, wto := utcDays(r.From, r.To)
	multiDay := wto.Sub(wfrom) > 24*time.Hour || p.dim != nil && (p.dim.Name == "week" || p.dim.Name == "month")
	if c.AnonymousVisits > 0 && multiDay && p.report.kind != kindRetention {
		c.VisitorsEstimate = true
		c.Flags = append(c.Flags, FlagVisitorsEstimate)
	}
	if c.AnonymousVisits > 0 {
		c.Flags = append(c.Flags, FlagInferredVisits)
	}
	switch {
	case p.report.kind == kindRetention:
		c.Flags = append(c.Flags, FlagConsentedOnly)
	case p.report.kind == kindFunnel && c.AnonymousVisits > 0:
		c.Flags = append(c.Flags, FlagAnonymousPerDay)
	}
	if c.Pageviews == 0 && c.ConsentedVisits+c.AnonymousVisits == 0 {
		c.Flags = append(c.Flags, FlagNoData)
	}
	return c
}

func round(f float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(f*p) / p
}

// dimName is the name of the answer's dimension column, "" for none.
func (p *plan) dimName() string {
	if p.dim == nil {
		return ""
	}
	return p.dim.Name
}

// columns lists the answer's columns in order, for tables and CSV.
func (p *plan) columns() []string {
	var cols []string
	switch p.report.kind {
	case kindFunnel:
		return []string{"step", "name", "visitors", "conversion_rate", "drop_off"}
	case kindRetention:
		return []string{"cohort", "visitors", "retained", "retention"}
	case kindJourneys:
		return []string{"direction", "page", "transitions", "visits"}
	case kindConsent:
		if n := p.dimName(); n != "" {
			cols = append(cols, n)
		}
		return append(cols, "purpose", "decisions", "granted_count", "denied_count", "opt_in_rate")
	}
	if n := p.dimName(); n != "" {
		cols = append(cols, n)
	}
	return append(cols, p.metrics...)
}

// shape turns the statement's rows into the answer's results.
func (p *plan) shape(rows []Row, totals Row, r Range) []Row {
	switch p.report.kind {
	case kindFunnel:
		return p.funnelRows(rows)
	case kindRetention:
		return retentionRows(rows)
	case kindJourneys:
		return nonNilRows(rows)
	}
	for _, row := range rows {
		if n := p.dimName(); n != "" {
			row[n] = row["dim"]
		}
		delete(row, "dim")
		if p.report.Name == "goals" && row["visitors"] != nil {
			v, _ := number(row["visitors"])
			all, _ := number(totals["visitors"])
			if all > 0 {
				row["conversion_rate"] = round(100*v/all, 2)
			}
		}
	}
	if p.report.Series && p.dim != nil {
		rows = p.fillSeries(rows, r)
	}
	return nonNilRows(rows)
}

func nonNilRows(rows []Row) []Row {
	if rows == nil {
		return []Row{}
	}
	return rows
}

// funnelRows turns the levels reached into one row per step.
func (p *plan) funnelRows(rows []Row) []Row {
	reached := make([]float64, len(p.steps)+1)
	for _, row := range rows {
		lv, _ := number(row["level"])
		n, _ := number(row["visitors"])
		for i := 1; i <= int(lv) && i <= len(p.steps); i++ {
			reached[i] += n
		}
	}
	out := []Row{}
	for i, s := range p.steps {
		row := Row{"step": i + 1, "name": s, "visitors": uint64(reached[i+1]), "conversion_rate": 0.0, "drop_off": 0.0}
		if reached[1] > 0 {
			row["conversion_rate"] = round(100*reached[i+1]/reached[1], 2)
		}
		if i > 0 && reached[i] > 0 {
			row["drop_off"] = round(100-100*reached[i+1]/reached[i], 2)
		}
		out = append(out, row)
	}
	return out
}

// retentionRows adds the share of each cohort that came back per period.
func retentionRows(rows []Row) []Row {
	for _, row := range rows {
		n, _ := number(row["visitors"])
		back, _ := row["retained"].([]uint64)
		rates := make([]float64, len(back))
		for i, b := range back {
			if n > 0 {
				rates[i] = round(100*float64(b)/n, 1)
			}
		}
		row["retention"] = rates
	}
	return nonNilRows(rows)
}

// fillSeries adds a row of zeros for every time bucket without data.
func (p *plan) fillSeries(rows []Row, r Range) []Row {
	name := p.dim.Name
	have := map[string]bool{}
	for _, row := range rows {
		have[fmt.Sprint(row[name])] = true
	}
	for _, b := range buckets(name, r) {
		if have[b] {
			continue
		}
		have[b] = true
		row := Row{name: b}
		for _, m := range p.metrics {
			row[m] = zero(m)
		}
		rows = append(rows, row)
	}
	sortRows(rows, name)
	return rows
}

// buckets lists the labels of the time buckets of r, as ClickHouse prints
// them (toString of toStartOfHour, toDate, toMonday, toStartOfMonth).
func buckets(unit string, r Range) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for t := r.From; t.Before(r.To); {
		l := t.In(r.Loc)
		switch unit {
		case "hour":
			add(l.Format("2006-01-02 15") + ":00:00")
			t = t.Add(time.Hour)
			continue
		case "week":
			wd := (int(l.Weekday()) + 6) % 7
			add(time.Date(l.Year(), l.Month(), l.Day()-wd, 0, 0, 0, 0, r.Loc).Format(time.DateOnly))
		case "month":
			add(time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, r.Loc).Format(time.DateOnly))
		default:
			add(l.Format(time.DateOnly))
		}
		t = time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, r.Loc).UTC()
	}
	return out
}
