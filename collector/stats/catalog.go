package stats

import (
	"strings"
	"unicode/utf8"

	"github.com/ashiato/ashiato/collector"
)

// Level says where a dimension is read: from each event, or from the visit
// the event belongs to (the visit's first event, or its entry/exit page).
type Level int

const (
	// EventLevel dimensions are columns of each event (page, event name, …).
	EventLevel Level = iota
	// VisitLevel dimensions describe the whole visit (entry page, source, …).
	VisitLevel
	// TimeLevel dimensions are time buckets, in the time zone, of the
	// start of the visit: a visit counts where it began.
	TimeLevel
)

// Dimension is one whitelisted breakdown: its name in questions and the
// SQL that reads it. Column names are the events table's (docs/SCHEMA.md).
type Dimension struct {
	Name  string
	Level Level
	// Column is the events column (or expression over columns) carried
	// into the visit for a visit-level dimension.
	Column string
	// Expr reads the value from an event row of the breakdown (e_* names)
	// or from the visit's attributes (v_* names).
	Expr string
	// Scope limits the events of a breakdown by this dimension (pages:
	// not custom events; events: only custom events).
	Scope string
	Doc   string
}

// visitColumn is a visit-level dimension read from the visit's first event.
func visitColumn(name, col, doc string) Dimension {
	return Dimension{Name: name, Level: VisitLevel, Column: col, Expr: "v_" + name, Doc: doc}
}

// dimensions is the whitelist of breakdowns. prop:KEY is built by Lookup.
var dimensions = []Dimension{
	{Name: "page", Level: EventLevel, Expr: "e_path", Scope: "e_type != 'event'", Doc: "page path (url_path) of pageviews and engagement"},
	{Name: "host", Level: EventLevel, Expr: "e_host", Doc: "page host (url_host)"},
	{Name: "event", Level: EventLevel, Expr: "e_name", Scope: "e_type = 'event'", Doc: "custom event name"},
	{Name: "goal", Level: EventLevel, Expr: "if(e_type = 'event', e_name, e_path)", Scope: "e_conv", Doc: "a conversion: a custom event name or a page path named by a goal filter"},
	{Name: "entry_page", Level: VisitLevel, Expr: "v_entry_page", Doc: "path of the visit's first pageview"},
	{Name: "exit_page", Level: VisitLevel, Expr: "v_exit_page", Doc: "path of the visit's last pageview"},
	visitColumn("referrer_source", "referrer_source", "search, social, email, paid, internal, direct, other (of the visit's first event)"),
	visitColumn("referrer_host", "referrer_host", "referrer host of the visit's first event"),
	visitColumn("referrer_name", "referrer_name", "referrer name, e.g. Google"),
	visitColumn("utm_source", "utm_source", "utm_source of the visit's first event"),
	visitColumn("utm_medium", "utm_medium", "utm_medium"),
	visitColumn("utm_campaign", "utm_campaign", "utm_campaign"),
	visitColumn("utm_term", "utm_term", "utm_term"),
	visitColumn("utm_content", "utm_content", "utm_content"),
	visitColumn("click_id_type", "click_id_type", "gclid, fbclid, … (advertising consent only)"),
	visitColumn("browser", "browser", "browser family"),
	visitColumn("browser_version", "concat(browser, ' ', browser_version)", "browser family and major.minor"),
	visitColumn("os", "os", "operating system family"),
	visitColumn("os_version", "concat(os, ' ', os_version)", "OS family and major.minor"),
	visitColumn("device", "device_type", "desktop, mobile, tablet, other"),
	visitColumn("country", "country", "ISO 3166-1 alpha-2 country"),
	visitColumn("language", "lang", "browser language"),
	visitColumn("screen", "screen", "screen size, e.g. 1920x1080"),
	{Name: "hour", Level: TimeLevel, Expr: "toString(toStartOfHour(v_start, @tz), @tz)", Doc: "hour in the time zone"},
	{Name: "day", Level: TimeLevel, Expr: "toString(toDate(v_start, @tz))", Doc: "day in the time zone"},
	{Name: "week", Level: TimeLevel, Expr: "toString(toMonday(v_start, @tz))", Doc: "week (starting Monday) in the time zone"},
	{Name: "month", Level: TimeLevel, Expr: "toString(toStartOfMonth(v_start, @tz))", Doc: "month in the time zone"},
}

// propExpr reads the event property whose key is bound as param.
func propExpr(param string) string {
	return "e_prop_values[indexOf(e_prop_keys, @" + param + ")]"
}

// LookupDimension returns the whitelisted dimension called name, or false.
// "prop:KEY" is the event property KEY; its key is bound as param.
func LookupDimension(name, param string) (Dimension, bool) {
	if key, ok := strings.CutPrefix(name, "prop:"); ok {
		if key == "" || utf8.RuneCountInString(key) > collector.MaxPropKeyLen {
			return Dimension{}, false // no event carries such a key
		}
		return Dimension{Name: name, Level: EventLevel, Expr: propExpr(param),
			Scope: "e_type = 'event' AND has(e_prop_keys, @" + param + ")", Doc: "property of custom events"}, true
	}
	for _, d := range dimensions {
		if d.Name == name {
			return d, true
		}
	}
	return Dimension{}, false
}

// Dimensions returns the whitelisted dimensions, for help texts and docs.
func Dimensions() []Dimension { return dimensions }

// Metric is one whitelisted measure, computed over the rows of the
// breakdown: one row per (dimension value, visit) slice.
type Metric struct {
	Name string
	Expr string // over the slice columns of queries/stats/breakdown.sql
	Doc  string
}

// anonKey is an anonymous visitor: the daily hash itself. Its salt
// changes at midnight UTC, and a visit ends there, so the hash of a visit
// is already that of one UTC day; the same address and browser are
// another visitor on the next UTC day.
const anonKey = "s_vhash"

// visitorKey is a visitor as one 64-bit number: consented visitors by a
// 64-bit hash of the visitor ID, anonymous ones by anonKey. One key space
// for both counts them in one set (a fifth less CPU than two sets on
// 18.16); a consented key equal to an anonymous one, which would count
// two visitors once, has a chance of 2^-64 per pair.
const visitorKey = "if(s_vkey != 0, s_vkey, " + anonKey + ")"

// visitorsOf counts the visitors among the slices where cond holds ("" for
// all of them).
func visitorsOf(cond string) string {
	if cond == "" {
		return "uniqExact(" + visitorKey + ")"
	}
	return "uniqExactIf(" + visitorKey + ", " + cond + ")"
}

// metrics is the whitelist of measures; the formulas are in docs/METRICS.md.
var metrics = []Metric{
	{"visitors", visitorsOf(""), "unique visitors: visitor ID (consented) + daily hash per day (anonymous)"},
	{"visits", "count()", "visits (session ID, or 30 minutes of inactivity for anonymous traffic)"},
	{"pageviews", "sum(s_pageviews)", "pageview events"},
	{"views_per_visit", "avg(v_pageviews)", "pageviews per visit (all pageviews of the visits)"},
	{"bounce_rate", "100 * avg(v_pageviews = 1 AND v_events = 0)", "% of visits with one pageview and no custom event"},
	{"visit_duration", "avg(v_end - v_start)", "mean seconds from a visit's first to its last event"},
	{"events", "sum(s_events)", "custom events"},
	{"conversions", visitorsOf("s_conversions > 0"), "visitors with a conversion (a custom event, or what a goal filter names)"},
	{"conversion_rate", "100 * " + visitorsOf("s_conversions > 0") + " / " + visitorsOf(""), "conversions / visitors, in %"},
	{"engaged_time", "sum(s_engaged_ms) / 1000 / count()", "engaged seconds per visit"},
	{"scroll_depth", "if(sum(s_scroll_n) = 0, 0, sum(s_scroll_sum) / sum(s_scroll_n))", "mean scroll depth (%) of engagement events"},
	{"revenue", "sumMap(s_rev_keys, s_rev_amounts)", "sum of props.revenue per props.currency"},
	{"consented_pageviews", "sumIf(s_pageviews, s_vkey != 0)", "pageviews with a visitor ID (analytics consent)"},
	{"anonymous_pageviews", "sumIf(s_pageviews, s_vkey = 0)", "pageviews in anonymous mode"},
	{"consented_visits", "countIf(s_vkey != 0)", "visits with a visitor ID"},
	{"anonymous_visits", "countIf(s_vkey = 0)", "visits in anonymous mode"},
}

// decimals is how many decimals a ratio is rounded to, half away from
// zero, in Go: the same on every ClickHouse version (round() in SQL
// rounds ties to even on current servers).
var decimals = map[string]int{"views_per_visit": 2, "bounce_rate": 1, "visit_duration": 0, "conversion_rate": 2,
	"engaged_time": 1, "scroll_depth": 0, "opt_in_rate": 1}

// LookupMetric returns the whitelisted metric called name, or false.
func LookupMetric(name string) (Metric, bool) {
	for _, m := range metrics {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

// Metrics returns the whitelisted metrics.
func Metrics() []Metric { return metrics }
