package statstest

import "github.com/ashiato/ashiato/collector/stats"

// FirstDay and LastDay are the days of the fixture, as a question names them.
const FirstDay, LastDay = "2026-03-02", "2026-03-15"

// Questions are the breakdown questions both ClickHouse versions answer
// on the fixture: every report with its defaults, every dimension with
// every metric, filters of every kind and goals, three time zones (one
// with a DST change in the range) by hour, day, week and month.
func Questions() []Question {
	var qs []Question
	for _, r := range stats.Reports() {
		switch r.Name {
		case "funnel", "retention", "journeys", "consent", "realtime", "props":
			continue
		}
		qs = append(qs, Question{Report: r.Name, From: FirstDay, To: LastDay})
	}
	for _, d := range stats.Dimensions() {
		qs = append(qs, Question{Report: "overview", By: d.Name, From: FirstDay, To: LastDay, Metrics: AllMetrics(), Limit: 1000})
	}
	for _, by := range []string{"prop:plan", "prop:currency"} {
		qs = append(qs, Question{Report: "props", By: by, From: FirstDay, To: LastDay, Metrics: AllMetrics()})
	}
	qs = append(qs, Question{Report: "pages", From: FirstDay, To: LastDay, Limit: 3})
	// The report's own metrics, which the custom events of the visits
	// rollup answer (AllMetrics takes engaged time: events only).
	ev := func(report, by string, fs ...Filter) Question {
		return Question{Report: report, By: by, From: FirstDay, To: LastDay, Filters: fs}
	}
	qs = append(qs, ev("props", "prop:currency", Filter{"event", "is", "purchase"}), ev("props", "prop:plan"),
		ev("events", "", Filter{"prop:plan", "is", "pro"}), ev("overview", "", Filter{"event", "is", "purchase"}),
		ev("sources", "", Filter{"event", "contains", "sign"}), ev("goals", "", Filter{"country", "is", "JP"}))
	return append(append(qs, filterQuestions()...), zoneQuestions()...)
}

// filterQuestions filter on events, on visits, and name goals.
func filterQuestions() []Question {
	f := func(dim, op, v string) Filter { return Filter{Dim: dim, Op: op, Value: v} }
	var qs []Question
	for _, fs := range [][]Filter{
		{f("entry_page", "is", "/pricing")},
		{f("page", "is", "/docs")},
		{f("page", "contains", "BLOG")},
		{f("page", "prefix", "/blog")},
		{f("referrer_source", "is_not", "direct")},
		{f("prop:plan", "is", "pro")},
		{f("event", "is", "purchase")},
		{f("country", "is", "JP"), f("device", "is", "mobile")},
		{f("exit_page", "is", "/checkout"), f("page", "is_not", "/")},
		{f("utm_campaign", "is", "spring")},
	} {
		qs = append(qs, Question{Report: "overview", From: FirstDay, To: LastDay, Metrics: AllMetrics(), Filters: fs},
			Question{Report: "pages", From: FirstDay, To: LastDay, Metrics: AllMetrics(), Filters: fs})
	}
	for _, g := range []string{"signup", "/signup", "/pricing"} {
		goal := []Filter{f("goal", "is", g)}
		qs = append(qs, Question{Report: "goals", From: FirstDay, To: LastDay, Filters: goal},
			Question{Report: "sources", From: FirstDay, To: LastDay, Metrics: []string{"visitors", "conversions", "conversion_rate"}, Filters: goal})
	}
	return qs
}

// zoneQuestions ask by time in New York (DST starts 2026-03-08), Tokyo and UTC.
func zoneQuestions() []Question {
	var qs []Question
	for _, tz := range []string{"America/New_York", "Asia/Tokyo", "UTC"} {
		for _, by := range []string{"day", "week", "month"} {
			qs = append(qs, Question{Report: "timeseries", By: by, From: FirstDay, To: LastDay, TZ: tz, Metrics: AllMetrics()})
		}
		qs = append(qs, Question{Report: "timeseries", By: "hour", From: "2026-03-07", To: "2026-03-09", TZ: tz},
			Question{Report: "overview", From: "2026-03-08", To: "2026-03-08", TZ: tz, Metrics: AllMetrics()},
			Question{Report: "entry_pages", From: "2026-03-03", To: "2026-03-04", TZ: tz},
			Question{Report: "coverage", From: FirstDay, To: LastDay, TZ: tz})
	}
	return qs
}
