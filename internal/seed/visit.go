package seed

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/enrich"
)

// classifySources fills in the enriched referrer fields of the sources with
// the collector's own classification (enrich.Referrer).
func classifySources(host string) {
	isSite := func(h string) bool { return h == host }
	for i := range sources {
		s := &sources[i]
		ref := enrich.Referrer(s.referrer, isSite, s.utm[0], s.utm[1], s.clickID != "")
		s.refHost, s.refPath, s.refSource, s.refName = ref.Host, ref.Path, ref.Source, ref.Name
	}
}

// hit is the part of an event that is the same for all events on one page.
type hit struct {
	path, title, query   string
	refURL, ref, refHost string
	refSource, refName   string
	utm                  [5]string
	clickType, clickID   string
}

// visit generates one visit of v starting at start: a bot crawls 1–15
// pages a second or two apart; a person bounces (38 %) or views several
// pages less than 30 minutes apart, with engagement and custom events.
func (g *generator) visit(v *Visitor, start time.Time) {
	g.totals.Visits++
	g.decide(v, start.Add(-2*time.Second))
	sid := ""
	if v.Consented {
		sid = g.id()
	}
	src := &sources[0]
	if !v.Bot {
		src = &sources[g.pick(g.srcW)]
	}
	n := 1
	switch {
	case v.Bot:
		n = 1 + g.r.IntN(15)
	case g.r.IntN(100) >= 38:
		n = 2 + int(g.r.ExpFloat64()*2.5)
		n = min(n, 25)
	}
	kind := entries[g.pick(g.entryW)].v
	if v.Bot {
		kind = pgHome
	}
	ts := start
	var prev string
	for i := range n {
		if ts.After(g.end) || g.totals.Events >= g.cfg.Events {
			return
		}
		h := g.page(kind, prev)
		if i == 0 {
			g.entry(&h, v, src)
		}
		gap := time.Duration(3+g.r.ExpFloat64()*50) * time.Second
		if v.Bot {
			gap = time.Duration(1+g.r.IntN(3)) * time.Second
		}
		gap = min(gap, 20*time.Minute)
		g.emit(v, sid, &h, collector.TypePageview, "", ts, nil)
		if !v.Bot {
			g.custom(v, sid, &h, kind, ts, gap)
			if g.r.IntN(10) < 7 {
				e := g.emit(v, sid, &h, collector.TypeEngagement, "", ts.Add(gap*9/10), nil)
				if e != nil {
					e.EngagedMS = uint32(float64(gap.Milliseconds()) * (0.3 + 0.65*g.r.Float64()))
					e.ScrollDepth = uint8(min(100, int(g.r.Float64()*130)))
				}
			}
		}
		prev = h.path
		ts = ts.Add(gap)
		kind = g.pickChoice(next[kind])
	}
}

// page returns the fields of a page of kind k reached from the page prev
// ("" for the entry page).
func (g *generator) page(k int, prev string) hit {
	p := pages[k]
	h := hit{path: p.path, title: p.title}
	if p.items > 0 {
		item := zipf(g.r.Float64(), p.items)
		h.path = strings.Replace(p.path, "%d", itoa(item), 1)
		h.title = strings.Replace(p.title, "%d", itoa(item), 1)
	}
	if prev != "" {
		h.refHost, h.ref, h.refSource = g.cfg.Host, g.cfg.Host+prev, enrich.SourceInternal
		if g.withHTTP {
			h.refURL = "https://" + g.cfg.Host + prev
		}
	}
	return h
}

// zipf returns an item 1..n, item k about as likely as 1/k.
func zipf(u float64, n int) int {
	k := int(math.Exp(u * math.Log(float64(n)+1))) // log-uniform: P(k) ≈ 1/k
	return max(1, min(k, n))
}

// entry sets the source of a visit's first page: referrer, campaign tags
// in the query, a click ID where the visitor allowed it.
func (g *generator) entry(h *hit, v *Visitor, s *source) {
	h.refURL, h.refHost, h.refSource, h.refName = s.referrer, s.refHost, s.refSource, s.refName
	h.ref = ""
	if s.refHost != "" {
		h.ref = s.refHost + s.refPath
	}
	h.utm = s.utm
	var q []string
	for i, k := range [5]string{"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"} {
		if s.utm[i] != "" {
			q = append(q, k+"="+strings.ReplaceAll(s.utm[i], " ", "+"))
		}
	}
	h.query = strings.Join(q, "&")
	if s.clickID != "" {
		id := g.id()
		if g.withHTTP {
			q = append(q, s.clickID+"="+id)
		}
		if has(v.Purposes, "advertising") {
			h.clickType, h.clickID = s.clickID, id
		}
	}
	if g.withHTTP && len(q) > 0 {
		h.path += "?" + strings.Join(q, "&")
	}
}

// custom adds the page's custom events: add to cart on products, checkout
// and a purchase with revenue in JPY or USD, sign-ups, downloads, outbound
// clicks.
func (g *generator) custom(v *Visitor, sid string, h *hit, kind int, ts time.Time, gap time.Duration) {
	at := ts.Add(time.Duration(float64(gap) * (0.1 + 0.6*g.r.Float64())))
	x := g.r.IntN(1000)
	switch {
	case kind == pgProduct && x < 120:
		g.emit(v, sid, h, collector.TypeEvent, "add_to_cart", at, []string{"plan", plans[g.r.IntN(3)], "product", pathItem(h.path)})
	case kind == pgCheckout && x < 600:
		g.emit(v, sid, h, collector.TypeEvent, "begin_checkout", at, nil)
	case kind == pgThanks:
		cur := currencies[0]
		rev := strconv.Itoa(500 + 100*g.r.IntN(300))
		if g.r.IntN(4) == 0 {
			cur = currencies[1]
			rev = strconv.FormatFloat(float64(500+g.r.IntN(30000))/100, 'f', -1, 64)
		}
		g.emit(v, sid, h, collector.TypeEvent, "purchase", at, []string{"currency", cur, "items", itoa(1 + g.r.IntN(4)), "revenue", rev})
	case kind == pgPricing && x < 60:
		g.emit(v, sid, h, collector.TypeEvent, "signup", at, []string{"plan", plans[g.r.IntN(3)]})
	case kind == pgDocs && x < 80:
		g.emit(v, sid, h, collector.TypeEvent, "download", at, []string{"file", files[g.r.IntN(len(files))]})
	case x >= 980:
		g.emit(v, sid, h, collector.TypeEvent, "outbound", at, []string{"url", outbound[g.r.IntN(len(outbound))]})
	}
}

// pathItem returns the last segment of a path.
func pathItem(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }

// emit appends one event and returns it, or nil when the run is complete
// or the event would lie after the end.
func (g *generator) emit(v *Visitor, sid string, h *hit, typ, name string, ts time.Time, props []string) *collector.Event {
	if g.totals.Events >= g.cfg.Events || ts.After(g.end) {
		return nil
	}
	g.totals.Events++
	switch {
	case v.Bot:
		g.totals.Bots++
	case v.Consented:
		g.totals.Consented++
	}
	if typ == collector.TypePageview {
		g.totals.Pageviews++
	}
	g.recs = append(g.recs, Record{})
	r := &g.recs[len(g.recs)-1]
	r.Visitor, r.UA, r.IP = v, v.dev.ua, v.IP
	if g.withHTTP {
		r.URL, r.Referrer = "https://"+g.cfg.Host+h.path, h.refURL
	}
	path, _, _ := strings.Cut(h.path, "?")
	info := v.dev.info
	e := &r.Event
	*e = collector.Event{
		EventID: g.rawUUID(), SiteID: g.cfg.Site, TS: ts, ReceivedAt: ts,
		Type: typ, Name: name, URLHost: g.cfg.Host, URLPath: path, URLQuery: h.query, Title: h.title,
		Referrer: h.ref, RefHost: h.refHost, RefSource: h.refSource, RefName: h.refName,
		UTMSource: h.utm[0], UTMMedium: h.utm[1], UTMCampaign: h.utm[2], UTMTerm: h.utm[3], UTMContent: h.utm[4],
		ClickIDType: h.clickType, ClickID: h.clickID,
		Screen: v.Screen, Lang: v.Lang,
		Browser: info.Browser, BrowserVersion: info.BrowserVersion, OS: info.OS, OSVersion: info.OSVersion,
		DeviceType: info.DeviceType, Country: v.Country,
		VisitorID: v.VisitorID, SessionID: sid, UserID: v.UserID, ConsentID: v.ConsentID,
		Purposes: v.Purposes, IsBot: info.IsBot, BotReason: info.BotReason,
	}
	if v.Bot {
		e.URLQuery = ""
	}
	if !v.Consented {
		e.VisitorHash = anonHash(g.cfg.Seed, v.N, ts)
	}
	if len(props) > 0 { // key, value pairs, sorted by key
		e.PropKeys, e.PropValues = make([]string, len(props)/2), make([]string, len(props)/2)
		for i := 0; i < len(props); i += 2 {
			e.PropKeys[i/2], e.PropValues[i/2] = props[i], props[i+1]
		}
	}
	return e
}

// anonHash stands for the collector's daily keyed hash: the same visitor
// gets another value each UTC day (the salt rotates daily).
func anonHash(seed, n uint64, ts time.Time) uint64 {
	x := seed ^ n*0x9e3779b97f4a7c15 ^ uint64(ts.Unix()/86400)*0xbf58476d1ce4e5b9
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x | 1
}
