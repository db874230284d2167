// Package statstest holds the stats engine's fixture: a seeded generator
// of realistic traffic (consented and anonymous visitors, several pages
// per visit, custom events with properties and revenue in two currencies,
// engagement, bots, days across a DST change, an erased subject) and an
// independent Go computation of every report's expected answer from the
// generated events, written from docs/METRICS.md and not from the SQL
// under test. cmd/ashiato loads the fixture through the collector's HTTP
// ingestion into ClickHouse 18.16; queries/chdbcheck inserts the same
// rows into ClickHouse 26 (chDB). Both compare with Expect.
package statstest

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"sort"
	"time"
)

// Site is the fixture's site (the built-in demo site).
const Site = "demo"

// Host is the page host of the fixture's URLs as the collector stores it.
const Host = "localhost:3000"

// First and Last are the fixture's days (UTC dates); America/New_York
// moves its clocks forward on 2026-03-08.
var (
	First = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	Last  = time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
)

// Agent is a browser as the collector parses its User-Agent.
type Agent struct {
	UA, Browser, BrowserVersion, OS, OSVersion, Device, Screen string
}

// Agents are the fixture's browsers with what uap-core makes of them.
var Agents = []Agent{
	{"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox", "121.0", "Linux", "", "desktop", "1920x1080"},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "Chrome", "120.0", "Windows", "10", "desktop", "1536x864"},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1", "Mobile Safari", "17.1", "iOS", "17.1", "mobile", "390x844"},
}

// BotUA is a crawler: its hits are stored with is_bot = 1.
const BotUA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

// Source is how a visit arrives: the first page's referrer and query,
// and what the collector derives from them.
type Source struct {
	Referrer, Query                   string
	RefSource, RefHost, RefName       string
	UTMSource, UTMMedium, UTMCampaign string
	UTMTerm, UTMContent               string
	ClickID                           bool // gclid: kept with advertising consent only
}

// Sources are the fixture's ways in.
var Sources = []Source{
	{RefSource: "direct"},
	{Referrer: "https://www.google.com/search?q=shoes", RefSource: "search", RefHost: "www.google.com", RefName: "Google"},
	{Referrer: "https://www.facebook.com/", RefSource: "social", RefHost: "www.facebook.com", RefName: "Facebook"},
	{Referrer: "https://news.ycombinator.com/item?id=1", RefSource: "social", RefHost: "news.ycombinator.com", RefName: "Hacker News"},
	{Query: "utm_source=newsletter&utm_medium=email&utm_campaign=spring", RefSource: "email",
		UTMSource: "newsletter", UTMMedium: "email", UTMCampaign: "spring"},
	{Query: "utm_source=google&utm_medium=cpc&utm_campaign=brand&utm_term=shoes&utm_content=ad1&gclid=G123", RefSource: "paid",
		UTMSource: "google", UTMMedium: "cpc", UTMCampaign: "brand", UTMTerm: "shoes", UTMContent: "ad1", ClickID: true},
}

// Pages are the fixture's page paths.
var Pages = []string{"/", "/pricing", "/docs", "/blog/a", "/blog/b", "/signup", "/checkout"}

// Event is one hit as sent and as it must be stored (after the gate and
// enrichment). Visitor is a placeholder for the server's visitor ID.
type Event struct {
	TS        time.Time
	Type      string
	Name      string
	Path      string
	Query     string
	Referrer  string
	Props     [][2]string // sorted by key
	EngagedMS uint32
	Scroll    uint8

	Visitor   string // consented: "c<n>", replaced by the real visitor ID when loaded
	Consent   int    // index into Fixture.Decisions, -1 = anonymous
	SessionID string
	IP        string // anonymous identity: (IP /24, UA) per day
	Agent     Agent
	Bot       bool
	Erased    bool // the subject erased after loading
	Country   string
	Lang      string

	Src   Source // the stored referrer and campaign fields of this hit
	Click string // stored click_id_type
}

// Decision is one consent decision sent to /api/consent.
type Decision struct {
	TS      time.Time
	Method  string // accept_all, custom (analytics), reject_all
	Visitor string // placeholder of the consented visitor, "" for reject_all
	Agent   Agent
	IP      string
}

// Fixture is the generated traffic.
type Fixture struct {
	Events    []Event    // in time order
	Decisions []Decision // in the order made up; Event.Consent indexes them
}

// Granted and Denied are what the collector records for a method on the
// demo site (purposes necessary, analytics, personalization, advertising).
func (d Decision) Granted() []string {
	switch d.Method {
	case "accept_all":
		return []string{"necessary", "analytics", "personalization", "advertising"}
	case "custom":
		return []string{"necessary", "analytics"}
	}
	return []string{"necessary"}
}

// Denied is the complement of Granted.
func (d Decision) Denied() []string {
	switch d.Method {
	case "accept_all":
		return nil
	case "custom":
		return []string{"personalization", "advertising"}
	}
	return []string{"analytics", "personalization", "advertising"}
}

// gen is the generator's state.
type gen struct {
	r      *rand.Rand
	f      Fixture
	nextIP int
}

// Generate returns the fixture of seed: the same seed, the same traffic.
func Generate(seed uint64) Fixture {
	g := &gen{r: rand.New(rand.NewPCG(seed, 19))}
	for i := 0; i < 40; i++ {
		g.consented(i)
	}
	for i := 0; i < 10; i++ {
		ip := g.ip()
		g.f.Decisions = append(g.f.Decisions, Decision{TS: g.day(g.r.IntN(14)).Add(time.Duration(g.r.IntN(86000)) * time.Second),
			Method: "reject_all", Agent: Agents[g.r.IntN(len(Agents))], IP: ip})
	}
	for i := 0; i < 110; i++ {
		g.anonymous()
	}
	g.bots()
	sort.SliceStable(g.f.Events, func(i, j int) bool { return g.f.Events[i].TS.Before(g.f.Events[j].TS) })
	return g.f
}

func (g *gen) day(i int) time.Time { return First.AddDate(0, 0, i) }

// ip returns an address in a /24 of its own.
func (g *gen) ip() string {
	g.nextIP++
	return fmt.Sprintf("10.%d.%d.7", g.nextIP/250, g.nextIP%250)
}

// consented makes visitor i: a decision, then 1–4 visits on several days.
func (g *gen) consented(i int) {
	who := fmt.Sprintf("c%d", i)
	agent := Agents[g.r.IntN(len(Agents))]
	country, lang := g.locale()
	visits := 1 + g.r.IntN(4)
	days := g.r.Perm(14)[:visits]
	sort.Ints(days)
	method := "accept_all"
	if g.r.IntN(2) == 0 {
		method = "custom"
	}
	ip := g.ip()
	start := g.day(days[0]).Add(time.Duration(g.r.IntN(86000)) * time.Second)
	g.f.Decisions = append(g.f.Decisions, Decision{TS: start.Add(-10 * time.Second), Method: method, Visitor: who, Agent: agent, IP: ip})
	d := len(g.f.Decisions) - 1
	for k, day := range days {
		t := start
		if k > 0 {
			t = g.day(day).Add(time.Duration(g.r.IntN(86000)) * time.Second)
		}
		sid := fmt.Sprintf("sess-%d-%d", i, k)
		if g.r.IntN(7) == 0 {
			sid = "" // no session ID: the inactivity rule over the visitor ID
		}
		base := Event{Visitor: who, Consent: d, SessionID: sid, IP: ip, Agent: agent, Country: country, Lang: lang, Erased: i == 3}
		g.visit(base, t, method == "accept_all")
	}
}

// anonymous makes one anonymous visitor-day: 1–3 visits, apart by more
// than 30 minutes (once by exactly 1801 s).
func (g *gen) anonymous() {
	agent := Agents[g.r.IntN(len(Agents))]
	country, lang := g.locale()
	base := Event{Consent: -1, IP: g.ip(), Agent: agent, Country: country, Lang: lang}
	t := g.day(g.r.IntN(14)).Add(time.Duration(g.r.IntN(80000)) * time.Second)
	for v := 1 + g.r.IntN(3); v > 0; v-- {
		end := g.visit(base, t, false)
		gap := 1801
		if g.r.IntN(3) > 0 {
			gap = 1801 + g.r.IntN(7200)
		}
		t = end.Add(time.Duration(gap) * time.Second)
	}
}

func (g *gen) locale() (string, string) {
	switch g.r.IntN(3) {
	case 0:
		return "JP", "ja"
	case 1:
		return "DE", "de-DE"
	}
	return "US", "en-US"
}

// bots sends crawler pageviews, which every report leaves out.
func (g *gen) bots() {
	for i := 0; i < 30; i++ {
		t := g.day(g.r.IntN(14)).Add(time.Duration(g.r.IntN(86000)) * time.Second)
		g.f.Events = append(g.f.Events, Event{TS: t, Type: "pageview", Path: Pages[g.r.IntN(len(Pages))], Consent: -1,
			IP: g.ip(), Agent: Agent{UA: BotUA}, Bot: true, Src: Sources[0]})
	}
}

// visit appends one visit from t and returns the time of its last hit.
func (g *gen) visit(base Event, t time.Time, ads bool) time.Time {
	src := Sources[g.r.IntN(len(Sources))]
	n := 1 + g.r.IntN(6)
	if g.r.IntN(10) < 3 {
		n = 1
	}
	prev := ""
	for p := 0; p < n; p++ {
		e := base
		e.TS, e.Type, e.Path = t, "pageview", Pages[g.r.IntN(len(Pages))]
		if p == 0 {
			e.Src, e.Query, e.Referrer = src, src.Query, src.Referrer
			if src.ClickID && ads {
				e.Click = "gclid"
			}
		} else {
			e.Referrer = "http://" + Host + prev
			e.Src = Source{RefSource: "internal", RefHost: "localhost"}
		}
		g.f.Events = append(g.f.Events, e)
		prev = e.Path
		last := t
		if n > 1 && g.r.IntN(5) < 2 {
			en := e
			en.TS, en.Type, en.EngagedMS, en.Scroll = t.Add(time.Second), "engagement", uint32(1000+g.r.IntN(60000)), uint8(g.r.IntN(101))
			g.f.Events = append(g.f.Events, en)
			last = en.TS
		}
		if n > 1 && g.r.IntN(5) == 0 {
			ev := e
			ev.TS, ev.Type = t.Add(2*time.Second), "event"
			ev.Name, ev.Props = g.custom()
			g.f.Events = append(g.f.Events, ev)
			last = ev.TS
		}
		gap := 5 + g.r.IntN(900)
		if base.Consent < 0 && g.r.IntN(20) == 0 {
			gap = 1800 // exactly the limit: still the same visit
		}
		if p == n-1 {
			return last
		}
		t = t.Add(time.Duration(gap) * time.Second)
	}
	return t
}

// custom returns a custom event: a signup with a plan, a purchase with
// revenue in EUR or JPY, or a download without properties.
func (g *gen) custom() (string, [][2]string) {
	switch g.r.IntN(3) {
	case 0:
		plan := []string{"free", "pro"}[g.r.IntN(2)]
		return "signup", [][2]string{{"plan", plan}}
	case 1:
		if g.r.IntN(2) == 0 {
			return "purchase", [][2]string{{"currency", "EUR"}, {"plan", "pro"}, {"revenue", fmt.Sprintf("%d.%02d", 5+g.r.IntN(90), g.r.IntN(100))}}
		}
		return "purchase", [][2]string{{"currency", "JPY"}, {"plan", "pro"}, {"revenue", fmt.Sprint(500 + g.r.IntN(20000))}}
	}
	return "download", nil
}

// URL is the hit's page URL.
func (e Event) URL() string {
	u := url.URL{Scheme: "http", Host: Host, Path: e.Path, RawQuery: e.Query}
	return u.String()
}
