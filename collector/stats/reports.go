package stats

// kind is how a report is computed.
type kind int

const (
	kindBreakdown kind = iota // queries/stats/breakdown.sql
	kindFunnel                // queries/stats/funnel.sql
	kindRetention             // queries/stats/retention.sql
	kindJourneys              // queries/stats/journeys.sql
	kindConsent               // queries/stats/consent.sql
)

// Report is one named report: a kind of query with defaults.
type Report struct {
	Name    string
	Doc     string
	kind    kind
	By      string   // default dimension ("" = none: one row of totals)
	Metrics []string // default metrics
	// ByChoices, when set, are the only dimensions --by may name.
	ByChoices []string
	Realtime  bool // the last 30 minutes, whatever the dates
	Series    bool // every time bucket, zeros included, in time order
}

var (
	visitMetrics = []string{"visitors", "visits", "pageviews", "views_per_visit", "bounce_rate", "visit_duration"}
	sourceMetric = []string{"visitors", "visits", "bounce_rate", "visit_duration"}
	deviceMetric = []string{"visitors", "visits", "pageviews", "bounce_rate"}
	timeDims     = []string{"hour", "day", "week", "month"}
)

// reports is every report, in the order --list prints them.
var reports = []Report{
	{Name: "overview", Doc: "totals of the range: visitors, visits, pageviews, views per visit, bounce rate, visit duration, events", kind: kindBreakdown,
		Metrics: append(append([]string{}, visitMetrics...), "events")},
	{Name: "timeseries", Doc: "the metrics per hour, day (default), week or month in the time zone", kind: kindBreakdown,
		By: "day", Metrics: []string{"visitors", "visits", "pageviews", "bounce_rate", "visit_duration"}, ByChoices: timeDims, Series: true},
	{Name: "pages", Doc: "pages by visitors and pageviews, with engaged time and scroll depth", kind: kindBreakdown,
		By: "page", Metrics: []string{"visitors", "visits", "pageviews", "bounce_rate", "engaged_time", "scroll_depth"}},
	{Name: "entry_pages", Doc: "the first page of visits", kind: kindBreakdown, By: "entry_page", Metrics: sourceMetric},
	{Name: "exit_pages", Doc: "the last page of visits", kind: kindBreakdown, By: "exit_page", Metrics: []string{"visitors", "visits", "pageviews"}},
	{Name: "sources", Doc: "where visits come from: referrer_source (default), referrer_host, referrer_name", kind: kindBreakdown,
		By: "referrer_source", Metrics: sourceMetric},
	{Name: "utm", Doc: "campaign tags: utm_source (default), utm_medium, utm_campaign, utm_term, utm_content, click_id_type", kind: kindBreakdown,
		By: "utm_source", Metrics: sourceMetric},
	{Name: "browsers", Doc: "browser (default) or browser_version", kind: kindBreakdown, By: "browser", Metrics: deviceMetric},
	{Name: "os", Doc: "operating system: os (default) or os_version", kind: kindBreakdown, By: "os", Metrics: deviceMetric},
	{Name: "devices", Doc: "device type (default) or screen size", kind: kindBreakdown, By: "device", Metrics: deviceMetric},
	{Name: "countries", Doc: "country of visits", kind: kindBreakdown, By: "country", Metrics: deviceMetric},
	{Name: "languages", Doc: "browser language of visits", kind: kindBreakdown, By: "language", Metrics: deviceMetric},
	{Name: "events", Doc: "custom events by name: visitors, events, conversion rate", kind: kindBreakdown,
		By: "event", Metrics: []string{"visitors", "events", "revenue"}},
	{Name: "props", Doc: "values of one event property: --by prop:KEY", kind: kindBreakdown,
		Metrics: []string{"visitors", "events", "revenue"}},
	{Name: "goals", Doc: "conversions per goal (custom events, or what --filter 'goal is X' names) and conversion rate over all visitors", kind: kindBreakdown,
		By: "goal", Metrics: []string{"visitors", "events", "conversion_rate", "revenue"}, ByChoices: []string{"goal"}},
	{Name: "funnel", Doc: "ordered steps (--steps /a,/b,event:signup) within --window seconds: visitors reaching each step and drop-off", kind: kindFunnel},
	{Name: "retention", Doc: "weekly (default) or monthly cohorts of consented visitors and how many came back", kind: kindRetention,
		By: "week", ByChoices: []string{"week", "month"}},
	{Name: "journeys", Doc: "the most common previous and next pages of a page (--page /x)", kind: kindJourneys},
	{Name: "realtime", Doc: "visitors in the last 30 minutes and the top pages now", kind: kindBreakdown, Realtime: true,
		By: "page", Metrics: []string{"visitors", "pageviews"}},
	{Name: "consent", Doc: "consent decisions and opt-in rate per purpose, by method, revision or day", kind: kindConsent,
		ByChoices: []string{"", "method", "revision", "day"}},
	{Name: "coverage", Doc: "per day: pageviews and visits with consent (visitor ID) and in anonymous mode, and the consented share", kind: kindBreakdown,
		By: "day", Metrics: []string{"pageviews", "consented_pageviews", "anonymous_pageviews", "consented_visits", "anonymous_visits"}, ByChoices: timeDims, Series: true},
}

// aliases keeps the names of the named queries that came before the
// engine working: they run the engine's reports.
var aliases = map[string]Report{
	"pageviews_by_day": {Name: "pageviews_by_day", Doc: "alias: timeseries --metrics pageviews,visitors", kind: kindBreakdown,
		By: "day", Metrics: []string{"pageviews", "visitors"}, ByChoices: timeDims, Series: true},
	"consent_decisions_by_day": {Name: "consent_decisions_by_day", Doc: "alias: consent --by day", kind: kindConsent,
		By: "day", ByChoices: []string{"day"}},
}

// Reports returns every report, in a stable order.
func Reports() []Report { return reports }

// LookupReport returns the report called name (or an alias), or false.
func LookupReport(name string) (Report, bool) {
	for _, r := range reports {
		if r.Name == name {
			return r, true
		}
	}
	r, ok := aliases[name]
	return r, ok
}
