package statstest

import (
	"sort"
	"strings"
	"time"
)

// Funnel is the expected funnel: visitors (a visitor ID, or an anonymous
// daily hash) reaching each step, steps in order,
// each within window of the visitor's start of the chain, over the events
// of the visits that started in [from, to).
func Funnel(evs []Event, from, to time.Time, loc *time.Location, steps []string, window time.Duration) []float64 {
	byWho := map[string][]Event{}
	for _, v := range Visits(evs, from, to) {
		k := "v" + v.vid
		if v.vid == "" {
			k = "h" + v.vhash // the daily hash: one UTC day
		}
		byWho[k] = append(byWho[k], v.evs...)
	}
	is := func(e Event, step string) bool {
		if name, ok := strings.CutPrefix(step, "event:"); ok {
			return e.Type == "event" && e.Name == name
		}
		return e.Type == "pageview" && e.Path == step
	}
	reached := make([]float64, len(steps))
	for _, es := range byWho {
		sort.SliceStable(es, func(i, j int) bool { return es[i].TS.Before(es[j].TS) })
		best := 0
		for i, first := range es {
			if !is(first, steps[0]) {
				continue
			}
			level := 1
			for _, e := range es[i+1:] {
				if level == len(steps) || e.TS.Sub(first.TS) > window {
					break
				}
				if is(e, steps[level]) {
					level++
				}
			}
			best = max(best, level)
		}
		for l := 0; l < best; l++ {
			reached[l]++
		}
	}
	return reached
}

// Cohort is an expected retention row.
type Cohort struct {
	Start    string
	Visitors float64
	Retained []float64
}

// Retention is the expected weekly (or monthly) retention of consented
// visitors over periods periods: the periods of the events of their visits
// that started in [from, to).
func Retention(evs []Event, from, to time.Time, loc *time.Location, monthly bool, periods int) []Cohort {
	period := func(t time.Time) (int, string) {
		t = t.In(loc)
		if monthly {
			return t.Year()*12 + int(t.Month()), time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc).Format("2006-01-02")
		}
		wd := (int(t.Weekday()) + 6) % 7
		m := time.Date(t.Year(), t.Month(), t.Day()-wd, 12, 0, 0, 0, time.UTC)
		return int(m.Unix() / (7 * 86400)), m.Format("2006-01-02")
	}
	seen := map[string]map[int]bool{}
	first := map[string]int{}
	label := map[int]string{}
	for _, v := range Visits(evs, from, to) {
		if v.vid == "" {
			continue
		}
		for _, e := range v.evs {
			p, l := period(e.TS)
			label[p] = l
			if seen[v.vid] == nil {
				seen[v.vid], first[v.vid] = map[int]bool{}, p
			}
			seen[v.vid][p] = true
			first[v.vid] = min(first[v.vid], p)
		}
	}
	byCohort := map[int]*Cohort{}
	for v, ps := range seen {
		c := byCohort[first[v]]
		if c == nil {
			c = &Cohort{Start: label[first[v]], Retained: make([]float64, periods)}
			byCohort[first[v]] = c
		}
		c.Visitors++
		for k := 0; k < periods; k++ {
			if ps[first[v]+k] {
				c.Retained[k]++
			}
		}
	}
	var out []Cohort
	for _, c := range byCohort {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// Journey is an expected journeys row.
type Journey struct {
	Direction, Page     string
	Transitions, Visits float64
}

// Journeys is the expected previous and next pages of page within visits.
func Journeys(evs []Event, from, to time.Time, page string, limit int) []Journey {
	count := map[[2]string]*Journey{}
	visits := map[[2]string]map[*visit]bool{}
	for _, v := range Visits(evs, from, to) {
		var paths []string
		for _, e := range v.evs {
			if e.Type == "pageview" {
				paths = append(paths, e.Path)
			}
		}
		for i, p := range paths {
			if p != page {
				continue
			}
			prev, next := "(entrance)", "(exit)"
			if i > 0 {
				prev = paths[i-1]
			}
			if i < len(paths)-1 {
				next = paths[i+1]
			}
			for _, k := range [][2]string{{"previous", prev}, {"next", next}} {
				if count[k] == nil {
					count[k], visits[k] = &Journey{Direction: k[0], Page: k[1]}, map[*visit]bool{}
				}
				count[k].Transitions++
				visits[k][v] = true
				count[k].Visits = float64(len(visits[k]))
			}
		}
	}
	var out []Journey
	for _, j := range count {
		out = append(out, *j)
	}
	sort.Slice(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if x.Direction != y.Direction {
			return x.Direction > y.Direction
		}
		if x.Transitions != y.Transitions {
			return x.Transitions > y.Transitions
		}
		return x.Page < y.Page
	})
	n := map[string]int{}
	var kept []Journey
	for _, j := range out {
		if n[j.Direction] < limit {
			n[j.Direction]++
			kept = append(kept, j)
		}
	}
	return kept
}

// ConsentRow is an expected consent row for one purpose (and dimension value).
type ConsentRow struct {
	Dim, Purpose               string
	Decisions, Granted, Denied float64
	OptInRate                  float64
}

// Consent is the expected consent report by dim ("", method, day).
func Consent(ds []Decision, from, to time.Time, loc *time.Location, dim string) []ConsentRow {
	rows := map[[2]string]*ConsentRow{}
	for _, d := range ds {
		if d.TS.Before(from) || !d.TS.Before(to) {
			continue
		}
		val := map[string]string{"": "", "method": d.Method, "day": d.TS.In(loc).Format("2006-01-02"), "revision": "1"}[dim]
		for _, p := range append(d.Granted(), d.Denied()...) {
			k := [2]string{val, p}
			if rows[k] == nil {
				rows[k] = &ConsentRow{Dim: val, Purpose: p}
			}
			r := rows[k]
			r.Decisions++
			if contains(d.Granted(), p) {
				r.Granted++
			} else {
				r.Denied++
			}
			r.OptInRate = round(100*r.Granted/(r.Granted+r.Denied), 1)
		}
	}
	var out []ConsentRow
	for _, r := range rows {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Dim != out[j].Dim {
			return out[i].Dim < out[j].Dim
		}
		return out[i].Purpose < out[j].Purpose
	})
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
