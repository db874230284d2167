package seed

import (
	"math"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/consent"
)

// Record is one generated hit: the row the collector would store for it
// (Event) and what a browser would have sent (UA, IP, URL, Referrer) for
// the HTTP path.
type Record struct {
	Event    collector.Event
	UA       string
	IP       netip.Addr
	URL      string   // the page URL with its query
	Referrer string   // as document.referrer
	Visitor  *Visitor // who sent it
}

// Visitor is a seeded person on one device.
type Visitor struct {
	N         uint64 // sequence number
	Consented bool   // granted analytics: visitor and session IDs
	VisitorID string
	ConsentID string
	Purposes  []string // purposes in force for the visitor's hits
	Method    string   // the decision's method, "" when the visitor never decided
	GPC       bool
	UserID    string
	Bot       bool
	Country   string
	Lang      string
	Screen    string
	IP        netip.Addr
	dev       *device
}

// purposesAll etc. are the default purposes in the site's order.
var (
	purposesAll       = []string{"necessary", "analytics", "personalization", "advertising"}
	purposesGPC       = []string{"necessary", "analytics", "personalization"}
	purposesAnalytics = []string{"necessary", "analytics"}
	purposesNecessary = []string{"necessary"}
)

// textsHash stands for the banner texts the seeded decisions were made on.
const textsHash = "5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed"

// generator holds the state of one run.
type generator struct {
	cfg          Config
	r            *rand.Rand
	humans, bots []device
	hw, bw       []int // cumulative weights of humans and bots
	pool         []*Visitor
	totals       Totals
	recs         []Record
	decisions    []consent.Decision
	srcW, entryW []int
	countryW     []int
	start        time.Time // midnight UTC of the first day
	end          time.Time // no event after it
	withHTTP     bool      // fill Record.URL, Referrer (the HTTP path needs them)
}

func newGenerator(cfg Config) (*generator, error) {
	humans, bots, err := devices(cfg.Corpus)
	if err != nil {
		return nil, err
	}
	g := &generator{
		cfg: cfg, r: rand.New(rand.NewPCG(cfg.Seed, 0x5eed)),
		humans: humans, bots: bots,
		end: cfg.End, withHTTP: cfg.ForHTTP,
		start: cfg.End.Truncate(24*time.Hour).AddDate(0, 0, -(cfg.Days - 1)),
	}
	for _, d := range humans {
		g.hw = appendCum(g.hw, d.weight)
	}
	for _, d := range bots {
		g.bw = appendCum(g.bw, d.weight)
	}
	for _, s := range sources {
		g.srcW = appendCum(g.srcW, s.weight)
	}
	for _, c := range entries {
		g.entryW = appendCum(g.entryW, c.w)
	}
	for _, c := range countries {
		g.countryW = appendCum(g.countryW, c.weight)
	}
	classifySources(cfg.Host)
	return g, nil
}

func appendCum(cum []int, w int) []int {
	if n := len(cum); n > 0 {
		w += cum[n-1]
	}
	return append(cum, w)
}

// pick returns an index of cum (cumulative weights) at random by weight.
func (g *generator) pick(cum []int) int {
	x := g.r.IntN(cum[len(cum)-1])
	lo, hi := 0, len(cum)-1
	for lo < hi {
		m := (lo + hi) / 2
		if cum[m] > x {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// pickChoice picks one of cs by weight.
func (g *generator) pickChoice(cs []choice) int {
	total := 0
	for _, c := range cs {
		total += c.w
	}
	x := g.r.IntN(total)
	for _, c := range cs {
		if x < c.w {
			return c.v
		}
		x -= c.w
	}
	return cs[len(cs)-1].v
}

// hourWeights is the share of visits by hour of the day (UTC; the shop's
// visitors are mostly in Japan, UTC+9).
var hourWeights = [24]float64{9, 8, 7, 7, 6, 6, 6, 6, 6, 7, 8, 9, 10, 10, 9, 7, 4, 2, 1.5, 1.5, 2, 3, 5, 8}

// dayWeight is a day's share of the traffic: weekends lower, a slow growth.
func (g *generator) dayWeight(d int) float64 {
	day := g.start.AddDate(0, 0, d)
	w := 1 + 0.3*float64(d)/float64(max(g.cfg.Days, 1))
	if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
		w *= 0.75
	}
	if day.Add(24 * time.Hour).After(g.end) { // today, partly over
		w *= g.end.Sub(day).Hours() / 24
	}
	return w
}

// run generates the days in order and hands batches to emit.
func (g *generator) run(emit func([]Record, []consent.Decision) error) error {
	var total float64
	weights := make([]float64, g.cfg.Days)
	for d := range weights {
		weights[d] = g.dayWeight(d)
		total += weights[d]
	}
	var cum float64
	for d := 0; d < g.cfg.Days && g.totals.Events < g.cfg.Events; d++ {
		cum += weights[d]
		quota := int(math.Round(float64(g.cfg.Events) * cum / total))
		if d == g.cfg.Days-1 {
			quota = g.cfg.Events
		}
		day := g.start.AddDate(0, 0, d)
		for g.totals.Events < quota {
			g.visit(g.visitor(), g.visitStart(day))
			if len(g.recs) >= g.cfg.Batch {
				if err := g.flush(emit); err != nil {
					return err
				}
			}
		}
	}
	return g.flush(emit)
}

func (g *generator) flush(emit func([]Record, []consent.Decision) error) error {
	err := emit(g.recs, g.decisions)
	clear(g.recs) // drop the references to visitors and strings
	g.recs, g.decisions = g.recs[:0], g.decisions[:0]
	return err
}

// visitStart returns when a visit on day starts: an hour by hourWeights,
// never later than a few minutes before the end.
func (g *generator) visitStart(day time.Time) time.Time {
	limit := g.end.Sub(day) - 2*time.Minute
	for range 20 {
		x := g.r.Float64() * 141 // the sum of hourWeights
		h := 0
		for h < 23 && x >= hourWeights[h] {
			x -= hourWeights[h]
			h++
		}
		off := time.Duration(h)*time.Hour + time.Duration(g.r.Int64N(int64(time.Hour)))
		if off < limit {
			return day.Add(off).Truncate(time.Second)
		}
	}
	return day.Add(time.Duration(g.r.Int64N(int64(max(limit, time.Second))))).Truncate(time.Second)
}

// visitor returns who makes the next visit: a bot (3 %), a returning
// visitor (35 %, recent visitors more likely) or a new one.
func (g *generator) visitor() *Visitor {
	if g.r.IntN(100) < 3 {
		return g.newVisitor(true)
	}
	if n := len(g.pool); n > 0 && g.r.IntN(100) < 35 {
		u := g.r.Float64()
		return g.pool[n-1-int(float64(n)*u*u*u)]
	}
	v := g.newVisitor(false)
	g.pool = append(g.pool, v)
	return v
}

// newVisitor makes up a visitor: device, country and language, and a
// consent decision: 40 % grant analytics, the rest stay anonymous (half of
// those refuse on the banner, the others never answer it).
func (g *generator) newVisitor(bot bool) *Visitor {
	g.totals.Visitors++
	v := &Visitor{N: uint64(g.totals.Visitors), Bot: bot}
	v.IP = ipFor(v.N)
	if bot {
		v.dev = &g.bots[g.pick(g.bw)]
		v.Country, v.Lang, v.Screen = "US", "", ""
		return v
	}
	v.dev = &g.humans[g.pick(g.hw)]
	c := countries[g.pick(g.countryW)]
	v.Country, v.Lang = c.code, c.langs[g.r.IntN(len(c.langs))]
	switch v.dev.info.DeviceType {
	case "mobile":
		v.Screen = mobileScreens[g.r.IntN(len(mobileScreens))]
	case "tablet":
		v.Screen = tabletScreens[g.r.IntN(len(tabletScreens))]
	default:
		v.Screen = desktopScreens[g.r.IntN(len(desktopScreens))]
	}
	v.Purposes = purposesNecessary
	switch x := g.r.IntN(1000); {
	case x < 220:
		v.Consented, v.Method, v.Purposes = true, "accept_all", purposesAll
	case x < 380:
		v.Consented, v.Method, v.Purposes = true, "custom", purposesAnalytics
		if g.r.IntN(3) == 0 {
			v.Purposes = purposesGPC
		}
	case x < 400:
		v.Consented, v.Method, v.Purposes, v.GPC = true, "gpc", purposesGPC, true
	case x < 700:
		v.Method = "reject_all"
	}
	if v.Consented {
		v.VisitorID = g.id()
		if has(v.Purposes, "personalization") && g.r.IntN(3) == 0 {
			v.UserID = "cust-" + itoa(int(v.N))
		}
	}
	return v
}

// decide records the visitor's decision in the ledger at their first visit.
func (g *generator) decide(v *Visitor, at time.Time) {
	if v.Method == "" || v.ConsentID != "" {
		return
	}
	v.ConsentID = g.uuid()
	d := consent.Decision{
		ConsentID: v.ConsentID, SiteID: g.cfg.Site, TS: at, VisitorID: v.VisitorID,
		Revision: 1, TextsHash: textsHash, Method: v.Method, Lang: v.Lang, GPC: v.GPC,
		UAFamily: v.dev.info.Browser, ExpiresAt: at.AddDate(0, 0, 180),
	}
	for _, p := range purposesAll {
		if has(v.Purposes, p) {
			d.Granted = append(d.Granted, p)
		} else {
			d.Denied = append(d.Denied, p)
		}
	}
	g.decisions = append(g.decisions, d)
	g.totals.Decisions++
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ipFor spreads visitors over distinct /24 networks, as the anonymous hash
// truncates addresses to /24.
func ipFor(n uint64) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(1 + (n>>16)%200), byte(n >> 8), byte(n), 7})
}

// id returns a random URL-safe ID like the collector's visitor IDs.
func (g *generator) id() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var b [22]byte
	x, y := g.r.Uint64(), g.r.Uint64()
	for i := range b {
		if i == 11 {
			x = y
		}
		b[i] = alphabet[x&63]
		x >>= 6
	}
	return string(b[:])
}

// uuid returns a random version-4 UUID string.
func (g *generator) uuid() string {
	raw := g.rawUUID()
	const hexd = "0123456789abcdef"
	b := make([]byte, 0, 36)
	for i, c := range raw {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexd[c>>4], hexd[c&15])
	}
	return string(b)
}

func (g *generator) rawUUID() [16]byte {
	var raw [16]byte
	hi, lo := g.r.Uint64(), g.r.Uint64()
	for i := range 8 {
		raw[i], raw[8+i] = byte(hi>>(56-8*i)), byte(lo>>(56-8*i))
	}
	raw[6] = raw[6]&0x0f | 0x40
	raw[8] = raw[8]&0x3f | 0x80
	return raw
}
