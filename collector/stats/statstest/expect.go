package statstest

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Filter is a condition of a question: dimension, operator, value.
type Filter struct{ Dim, Op, Value string }

// Query is a question in the terms of docs/METRICS.md, resolved (default
// dimension and metrics filled in by the caller).
type Query struct {
	Dim      string // "" = totals
	Metrics  []string
	Filters  []Filter
	Goals    []Filter
	From, To time.Time // [From, To)
	Loc      *time.Location
	Limit    int
	Series   bool
	Goal     bool // the goals report: conversion rate over all visitors
}

// Days returns the range of the days from and to (both included) in loc.
func Days(from, to string, loc *time.Location) (time.Time, time.Time) {
	f, _ := time.ParseInLocation("2006-01-02", from, loc)
	t, _ := time.ParseInLocation("2006-01-02", to, loc)
	return f, time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc)
}

// Row is an expected row: numbers as float64, revenue as a map.
type Row map[string]any

// visit is a visit of the reference computation.
type visit struct {
	evs         []Event
	vid, vhash  string
	start, end  time.Time
	pvs, events int
	entry, exit string
}

// Stored returns the events every report reads: no bots, no erased subject.
func Stored(f Fixture) []Event {
	var out []Event
	for _, e := range f.Events {
		if !e.Bot && !e.Erased {
			out = append(out, e)
		}
	}
	return out
}

// Visits groups events into visits and returns those that started in
// [from, to), each with all its events: a session ID, or the events of a
// visitor (ID, else IP and UA) with no gap over 30 minutes; a visit ends at
// midnight UTC.
func Visits(evs []Event, from, to time.Time) []*visit {
	actors := map[string][]Event{}
	var order []string
	for _, e := range evs {
		// The anonymous hash's salt changes at midnight UTC: the same
		// address and browser are another actor on the next UTC day; a
		// session or visitor ID starts another visit there too.
		k := "h:" + AnonKey(e)
		switch {
		case e.SessionID != "":
			k = "s:" + e.SessionID
		case e.Visitor != "":
			k = "v:" + e.Visitor
		}
		k = e.TS.UTC().Format("2006-01-02") + "|" + k
		if _, ok := actors[k]; !ok {
			order = append(order, k)
		}
		actors[k] = append(actors[k], e)
	}
	var out []*visit
	for _, k := range order {
		es := actors[k]
		sort.SliceStable(es, func(i, j int) bool { return es[i].TS.Before(es[j].TS) })
		var cur *visit
		for i, e := range es {
			if i == 0 || e.SessionID == "" && e.TS.Sub(es[i-1].TS) > 30*time.Minute {
				cur = &visit{vid: e.Visitor, vhash: AnonKey(e), start: e.TS}
				out = append(out, cur)
			}
			cur.evs = append(cur.evs, e)
			cur.end = e.TS
			switch e.Type {
			case "pageview":
				if cur.pvs == 0 {
					cur.entry = e.Path
				}
				cur.exit = e.Path
				cur.pvs++
			case "event":
				cur.events++
			}
		}
	}
	return slices.DeleteFunc(out, func(v *visit) bool { return v.start.Before(from) || !v.start.Before(to) })
}

// AnonKey is what the anonymous visitor hash keys on: the address, the
// browser and the UTC day of the daily salt.
func AnonKey(e Event) string {
	return e.IP + "|" + e.Agent.UA + "|" + e.TS.UTC().Format("2006-01-02")
}

// visitDim reads a visit-level dimension from the visit.
func visitDim(v *visit, dim string) (string, bool) {
	f := v.evs[0]
	m := map[string]string{
		"entry_page": v.entry, "exit_page": v.exit, "referrer_source": f.Src.RefSource, "referrer_host": f.Src.RefHost,
		"referrer_name": f.Src.RefName, "utm_source": f.Src.UTMSource, "utm_medium": f.Src.UTMMedium,
		"utm_campaign": f.Src.UTMCampaign, "utm_term": f.Src.UTMTerm, "utm_content": f.Src.UTMContent,
		"click_id_type": f.Click, "browser": f.Agent.Browser, "browser_version": f.Agent.Browser + " " + f.Agent.BrowserVersion,
		"os": f.Agent.OS, "os_version": f.Agent.OS + " " + f.Agent.OSVersion, "device": f.Agent.Device,
		"country": f.Country, "language": f.Lang, "screen": f.Agent.Screen,
	}
	s, ok := m[dim]
	return s, ok
}

// prop returns the value of property key, and whether the event has it.
func prop(e Event, key string) (string, bool) {
	for _, p := range e.Props {
		if p[0] == key {
			return p[1], true
		}
	}
	return "", false
}

// eventDim reads an event-level dimension, or a time dimension of the
// visit's start; in is false when the event is outside the dimension's
// scope.
func eventDim(e Event, start time.Time, dim string, conv bool, loc *time.Location) (val string, in bool) {
	t := start.In(loc)
	switch {
	case dim == "page":
		return e.Path, e.Type != "event"
	case dim == "host":
		return Host, true
	case dim == "event":
		return e.Name, e.Type == "event"
	case dim == "goal":
		if e.Type == "event" {
			return e.Name, conv
		}
		return e.Path, conv
	case strings.HasPrefix(dim, "prop:"): // of custom events
		if e.Type != "event" {
			return "", false
		}
		return prop(e, strings.TrimPrefix(dim, "prop:"))
	case dim == "hour":
		return t.Format("2006-01-02 15") + ":00:00", true
	case dim == "day":
		return t.Format("2006-01-02"), true
	case dim == "week":
		wd := (int(t.Weekday()) + 6) % 7
		return time.Date(t.Year(), t.Month(), t.Day()-wd, 0, 0, 0, 0, loc).Format("2006-01-02"), true
	case dim == "month":
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc).Format("2006-01-02"), true
	}
	return "", false
}

// match applies a filter operator.
func match(op, have, want string) bool {
	switch op {
	case "is":
		return have == want
	case "is_not":
		return have != want
	case "contains":
		return strings.Contains(strings.ToLower(have), strings.ToLower(want))
	case "prefix":
		return strings.HasPrefix(have, want)
	}
	return false
}

// isConversion says whether e is a conversion under the goal filters.
func isConversion(e Event, goals []Filter) bool {
	if len(goals) == 0 {
		return e.Type == "event"
	}
	for _, g := range goals {
		if e.Type == "event" && match(g.Op, e.Name, g.Value) || e.Type == "pageview" && match(g.Op, e.Path, g.Value) {
			return true
		}
	}
	return false
}

// slice is the events of one visit that share a dimension value.
type slice struct {
	v                     *visit
	start                 time.Time
	pvs, evs, conv        int
	engaged, scroll, nscr float64
	revenue               map[string]float64
}

// eventField reads a filter's event-level dimension, without the scope a
// breakdown by it has: a filter keeps any event whose field matches.
func eventField(e Event, dim string) string {
	switch {
	case dim == "page":
		return e.Path
	case dim == "host":
		return Host
	case dim == "event":
		return e.Name
	case strings.HasPrefix(dim, "prop:"):
		v, _ := prop(e, strings.TrimPrefix(dim, "prop:"))
		return v
	}
	panic("statstest: no filter on " + dim)
}

// keep applies the filters: visit-level ones to the visit, the others to e.
func keep(v *visit, e Event, fs []Filter) bool {
	for _, f := range fs {
		have, ok := visitDim(v, f.Dim)
		if !ok {
			have = eventField(e, f.Dim)
		}
		if !match(f.Op, have, f.Value) {
			return false
		}
	}
	return true
}

// slices splits the visits by the dimension's value.
func slicesOf(vs []*visit, q Query) map[string][]*slice {
	out := map[string][]*slice{}
	for _, v := range vs {
		byVal := map[string]*slice{}
		for _, e := range v.evs {
			if !keep(v, e, q.Filters) {
				continue
			}
			conv := isConversion(e, q.Goals)
			val, in := "", true
			if q.Dim != "" {
				if val, in = visitDim(v, q.Dim); !in {
					val, in = eventDim(e, v.start, q.Dim, conv, q.Loc)
				}
			}
			if !in {
				continue
			}
			s := byVal[val]
			if s == nil {
				s = &slice{v: v, start: e.TS, revenue: map[string]float64{}}
				byVal[val] = s
				out[val] = append(out[val], s)
			}
			s.add(e, conv)
		}
	}
	return out
}

func (s *slice) add(e Event, conv bool) {
	switch e.Type {
	case "pageview":
		s.pvs++
	case "event":
		s.evs++
		cur, ok1 := prop(e, "currency")
		amt, ok2 := prop(e, "revenue")
		if ok1 && ok2 {
			f, _ := strconv.ParseFloat(amt, 64)
			s.revenue[strings.ToUpper(cur)] += f
		}
	case "engagement":
		if e.Scroll > 0 {
			s.scroll += float64(e.Scroll)
			s.nscr++
		}
	}
	if conv {
		s.conv++
	}
	s.engaged += float64(e.EngagedMS)
}

// metric computes one metric over the slices of a dimension value.
func metric(name string, ss []*slice, loc *time.Location) any {
	visitors := func(ok func(*slice) bool) float64 {
		seen := map[string]bool{}
		for _, s := range ss {
			if !ok(s) {
				continue
			}
			k := "v" + s.v.vid
			if s.v.vid == "" {
				k = "h" + s.v.vhash // the daily hash: one UTC day
			}
			seen[k] = true
		}
		return float64(len(seen))
	}
	all := func(*slice) bool { return true }
	sum := func(f func(*slice) float64) float64 {
		t := 0.0
		for _, s := range ss {
			t += f(s)
		}
		return t
	}
	n := float64(len(ss))
	switch name {
	case "visitors":
		return visitors(all)
	case "visits":
		return n
	case "pageviews":
		return sum(func(s *slice) float64 { return float64(s.pvs) })
	case "views_per_visit":
		return round(sum(func(s *slice) float64 { return float64(s.v.pvs) })/n, 2)
	case "bounce_rate":
		return round(100*sum(func(s *slice) float64 { return b2f(s.v.pvs == 1 && s.v.events == 0) })/n, 1)
	case "visit_duration":
		return round(sum(func(s *slice) float64 { return s.v.end.Sub(s.v.start).Seconds() })/n, 0)
	case "events":
		return sum(func(s *slice) float64 { return float64(s.evs) })
	case "conversions":
		return visitors(func(s *slice) bool { return s.conv > 0 })
	case "conversion_rate":
		return round(100*visitors(func(s *slice) bool { return s.conv > 0 })/visitors(all), 2)
	case "engaged_time":
		return round(sum(func(s *slice) float64 { return s.engaged })/1000/n, 1)
	case "scroll_depth":
		if k := sum(func(s *slice) float64 { return s.nscr }); k > 0 {
			return round(sum(func(s *slice) float64 { return s.scroll })/k, 0)
		}
		return 0.0
	case "revenue":
		m := map[string]float64{}
		for _, s := range ss {
			for c, a := range s.revenue {
				m[c] += a
			}
		}
		for c, a := range m {
			m[c] = round(a, 2)
		}
		return m
	case "consented_pageviews":
		return sum(func(s *slice) float64 { return float64(s.pvs) * b2f(s.v.vid != "") })
	case "anonymous_pageviews":
		return sum(func(s *slice) float64 { return float64(s.pvs) * b2f(s.v.vid == "") })
	case "consented_visits":
		return sum(func(s *slice) float64 { return b2f(s.v.vid != "") })
	case "anonymous_visits":
		return sum(func(s *slice) float64 { return b2f(s.v.vid == "") })
	}
	panic("statstest: unknown metric " + name)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func round(f float64, d int) float64 {
	p := math.Pow(10, float64(d))
	return math.Round(f*p) / p
}

// Breakdown is the expected answer of a breakdown question: its rows and
// its totals (the same question without a dimension).
func Breakdown(evs []Event, q Query) (rows []Row, totals Row) {
	vs := Visits(evs, q.From, q.To)
	tq := q
	tq.Dim = ""
	totals = Row{}
	for _, ss := range slicesOf(vs, tq) {
		for _, m := range q.Metrics {
			totals[m] = metric(m, ss, q.Loc)
		}
	}
	for val, ss := range slicesOf(vs, q) {
		r := Row{"dim": val}
		for _, m := range q.Metrics {
			r[m] = metric(m, ss, q.Loc)
		}
		if q.Goal && totals["visitors"] != nil {
			r["conversion_rate"] = round(100*r["visitors"].(float64)/totals["visitors"].(float64), 2)
		}
		rows = append(rows, r)
	}
	sortRows(rows, q)
	if !q.Series && q.Limit > 0 && len(rows) > q.Limit {
		rows = rows[:q.Limit]
	}
	return rows, totals
}

// sortRows orders like the engine: first metric (not revenue) largest
// first, then the value; a series or a time dimension by time.
func sortRows(rows []Row, q Query) {
	key := ""
	if !q.Series && !slices.Contains([]string{"hour", "day", "week", "month"}, q.Dim) {
		for _, m := range q.Metrics {
			if m != "revenue" {
				key = m
				break
			}
		}
	}
	slices.SortStableFunc(rows, func(a, b Row) int {
		if key != "" {
			if c := cmp.Compare(b[key].(float64), a[key].(float64)); c != 0 {
				return c
			}
		}
		return strings.Compare(a["dim"].(string), b["dim"].(string))
	})
}
