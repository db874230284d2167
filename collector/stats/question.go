// Package stats is the stats engine: it turns a question (report, metrics,
// dimension, filters, date range, time zone, comparison, limit) into SQL
// built only from whitelisted columns and functions, with every value from
// the question bound as a parameter, runs it and answers rows with a
// coverage block that says how much of each number rests on consented and
// on anonymous traffic. `ashiato query` and the admin API's
// /admin/api/stats/{report} both use it; docs/METRICS.md defines the
// metrics.
package stats

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ashiato/ashiato/collector"
)

// Question is one request to the engine, as given by a user (strings) and
// before validation.
type Question struct {
	Report  string
	Site    string
	From    string   // YYYY-MM-DD, included
	To      string   // YYYY-MM-DD, included
	TZ      string   // IANA zone; "" = the site's time_zone
	Metrics []string // "" entries ignored; empty = the report's defaults
	By      string   // dimension; "" = the report's default
	Filters []string // "dim op value"
	Compare string   // "", "previous" or "year"
	Limit   int      // 0 = the report's default
	Steps   []string // funnel steps: a page path, or event:NAME
	Window  int      // funnel window in seconds; 0 = 1800
	Page    string   // journeys: the page whose neighbours are wanted
}

// Filter is one parsed condition: dimension, operator and value.
type Filter struct {
	Dim   Dimension
	Op    string // is, is_not, contains, prefix
	Value string
}

// operators maps an operator to its SQL over expression e and parameter p.
var operators = map[string]func(e, p string) string{
	"is":       func(e, p string) string { return e + " = @" + p },
	"is_not":   func(e, p string) string { return e + " != @" + p },
	"contains": func(e, p string) string { return "positionCaseInsensitive(" + e + ", @" + p + ") > 0" },
	"prefix":   func(e, p string) string { return "startsWith(" + e + ", @" + p + ")" },
}

// Operators lists the filter operators.
func Operators() []string { return []string{"is", "is_not", "contains", "prefix"} }

func invalid(field, format string, args ...any) error {
	return collector.Errorf(collector.EInvalid, field, format, args...)
}

// ParseFilter parses "dim op value"; "is not" may be written with a space
// and the value may be quoted. param names the bound parameter(s).
func ParseFilter(s, param string) (Filter, error) {
	f := strings.Fields(s)
	if len(f) < 2 {
		return Filter{}, invalid("filter", "want 'dimension operator value', got %q", s)
	}
	dim, op := f[0], f[1]
	rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), dim))
	rest = strings.TrimSpace(strings.TrimPrefix(rest, op))
	if op == "is" && len(f) > 2 && f[2] == "not" {
		op = "is_not"
		rest = strings.TrimSpace(strings.TrimPrefix(rest, "not"))
	}
	if _, ok := operators[op]; !ok {
		return Filter{}, invalid("filter", "unknown operator %q: want one of %s", op, strings.Join(Operators(), ", "))
	}
	if len(rest) >= 2 && (rest[0] == '\'' || rest[0] == '"') && rest[len(rest)-1] == rest[0] {
		rest = rest[1 : len(rest)-1]
	}
	if utf8.RuneCountInString(rest) > MaxFilterValue {
		return Filter{}, invalid("filter", "a filter's value has at most %d characters", MaxFilterValue)
	}
	d, ok := LookupDimension(dim, param+"k")
	if !ok {
		return Filter{}, invalid("filter", "unknown dimension %q (see docs/METRICS.md)", dim)
	}
	if d.Level == TimeLevel {
		return Filter{}, invalid("filter", "%s cannot be filtered: choose the dates with from and to", dim)
	}
	return Filter{Dim: d, Op: op, Value: rest}, nil
}

// Range is the half-open UTC interval [From, To) of the days asked for,
// in the zone Loc.
type Range struct {
	FromDay, ToDay string // YYYY-MM-DD, both included
	From, To       time.Time
	Loc            *time.Location
	Days           int
}

// ParseRange turns the days from and to (both included, in loc) into the
// instants of the first day's start and the day after the last one's
// start: a day is 23, 24 or 25 hours across a DST change.
func ParseRange(from, to string, loc *time.Location, maxDays int) (Range, error) {
	f, err := time.ParseInLocation(time.DateOnly, from, loc)
	if err != nil {
		return Range{}, invalid("from", "want a date YYYY-MM-DD, got %q", from)
	}
	t, err := time.ParseInLocation(time.DateOnly, to, loc)
	if err != nil {
		return Range{}, invalid("to", "want a date YYYY-MM-DD, got %q", to)
	}
	if t.Before(f) {
		return Range{}, invalid("to", "to (%s) is before from (%s)", to, from)
	}
	end := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc)
	days := 0
	for d := f; d.Before(end); d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc) {
		days++
	}
	if maxDays > 0 && days > maxDays {
		return Range{}, invalid("to", "the range has %d days; at most %d", days, maxDays)
	}
	return Range{FromDay: from, ToDay: to, From: f.UTC(), To: end.UTC(), Loc: loc, Days: days}, nil
}

// Shift returns the range moved for a comparison: "previous" is the same
// number of days just before, "year" the same days a year earlier.
func (r Range) Shift(how string) Range {
	f, _ := time.ParseInLocation(time.DateOnly, r.FromDay, r.Loc)
	t, _ := time.ParseInLocation(time.DateOnly, r.ToDay, r.Loc)
	switch how {
	case "year":
		f, t = f.AddDate(-1, 0, 0), t.AddDate(-1, 0, 0)
	default:
		f, t = f.AddDate(0, 0, -r.Days), f.AddDate(0, 0, -1)
	}
	out, _ := ParseRange(f.Format(time.DateOnly), t.Format(time.DateOnly), r.Loc, 0)
	return out
}

// ParseList splits a comma-separated list, dropping empty items.
func ParseList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ParseLimit parses a limit; "" is 0 (the report's default).
func ParseLimit(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxLimit {
		return 0, invalid("limit", "want a number from 1 to %d, got %q", MaxLimit, s)
	}
	return n, nil
}

// MaxLimit is the most rows a breakdown answers.
const MaxLimit = 10000

// MaxFilters is the most filters of a question, and MaxFilterValue the
// longest value of one (characters): the statement stays far below the
// server's max_query_size (256 KiB), where the values are written in.
const (
	MaxFilters     = 20
	MaxFilterValue = 2048
)

func (q Question) String() string {
	return fmt.Sprintf("%s site=%s from=%s to=%s tz=%s metrics=%s by=%s filters=%q compare=%s limit=%d",
		q.Report, q.Site, q.From, q.To, q.TZ, strings.Join(q.Metrics, ","), q.By, q.Filters, q.Compare, q.Limit)
}
