package main

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// Target is what requests are sent to.
type Target struct {
	Host   string // host:port
	Path   string // /api/event
	Site   string
	Origin string // Origin header; empty: none (as from a same-origin beacon)
	// Consent, when set, makes every request a consent decision of a new
	// visitor (POST /api/consent) instead of events: the JSON members
	// "revision" and "texts_hash" of the site's banner.
	Consent string
}

var (
	pages = []string{"/", "/products/%d", "/products/%d?utm_source=news&utm_medium=email&utm_campaign=spring",
		"/blog/post-%d", "/cart", "/checkout", "/search?q=item+%d", "/about", "/ja/products/%d?ref=top"}
	referrers = []string{"", "", "https://www.google.com/", "https://www.google.co.jp/", "https://t.co/abc123",
		"https://www.bing.com/search?q=shop", "https://search.yahoo.co.jp/search?p=shop", "http://localhost/",
		"https://news.ycombinator.com/item?id=1", "https://www.facebook.com/"}
	titles  = []string{"商品一覧 | デモショップ", "Product %d — Demo shop", "ブログ: 新しいお知らせ %d", "Cart", "ホーム"}
	screens = []string{"1920x1080", "1366x768", "390x844", "414x896", "1536x864", "2560x1440", "360x800"}
	langs   = []string{"ja", "ja-JP", "en-US", "en", "zh-CN", "ko"}
	plans   = []string{"free", "pro", "team"}
)

// Generator builds request bytes. One per goroutine: it is not safe for
// concurrent use.
type Generator struct {
	T     Target
	Mix   *UAMix
	R     *rand.Rand
	seq   uint64
	body  []byte
	ua    []byte
	New   int // requests that carried a never-seen UA
	Total int
}

// NewGenerator returns a generator whose event IDs are unique for the given
// (run, worker) pair.
func NewGenerator(t Target, mix *UAMix, run, worker uint64) *Generator {
	return &Generator{T: t, Mix: mix, R: rand.New(rand.NewPCG(run, worker))}
}

// Append appends one complete HTTP/1.1 request with one event to buf.
func (g *Generator) Append(buf []byte) []byte { return g.Request(buf, 1, "") }

// Request appends an HTTP/1.1 request carrying events events (a JSON array
// when more than one) to buf; ua overrides the User-Agent mix when not empty.
func (g *Generator) Request(buf []byte, events int, ua string) []byte {
	g.seq++
	g.Total++
	if ua != "" {
		g.ua = append(g.ua[:0], ua...)
	} else {
		var isNew bool
		g.ua, isNew = g.Mix.Pick(g.R, g.ua[:0], g.seq)
		if isNew {
			g.New++
		}
	}
	b := g.body[:0]
	if g.T.Consent != "" {
		events = 0
		b = g.decision(b)
	}
	if events > 1 {
		b = append(b, '[')
	}
	for i := range events {
		if i > 0 {
			b = append(b, ',')
		}
		b = g.event(b)
	}
	if events > 1 {
		b = append(b, ']')
	}
	g.body = b

	buf = append(buf, "POST "...)
	buf = append(buf, g.T.Path...)
	buf = append(buf, " HTTP/1.1\r\nHost: "...)
	buf = append(buf, g.T.Host...)
	buf = append(buf, "\r\nContent-Type: text/plain;charset=UTF-8\r\nUser-Agent: "...)
	buf = append(buf, g.ua...)
	if g.T.Origin != "" {
		buf = append(buf, "\r\nOrigin: "...)
		buf = append(buf, g.T.Origin...)
	}
	buf = append(buf, "\r\nAccept: */*\r\nAccept-Language: ja,en-US;q=0.9\r\nContent-Length: "...)
	buf = strconv.AppendInt(buf, int64(len(b)), 10)
	buf = append(buf, "\r\n\r\n"...)
	return append(buf, b...)
}

// decision appends a decision as the banner sends it: half accept all,
// three in ten reject all, the rest a custom choice.
func (g *Generator) decision(b []byte) []byte {
	b = append(b, `{"site":"`...)
	b = append(b, g.T.Site...)
	switch n := g.R.IntN(10); {
	case n < 5:
		b = append(b, `","granted":["analytics","personalization","advertising"],"method":"accept_all",`...)
	case n < 8:
		b = append(b, `","granted":[],"method":"reject_all",`...)
	default:
		b = append(b, `","granted":["analytics"],"method":"custom",`...)
	}
	b = append(b, g.T.Consent...)
	b = append(b, `,"lang":"`...)
	b = append(b, langs[g.R.IntN(len(langs))]...)
	return append(b, `"}`...)
}

// event appends one realistic event object to b.
func (g *Generator) event(b []byte) []byte {
	r := g.R
	b = append(b, `{"site":"`...)
	b = append(b, g.T.Site...)
	b = append(b, `","type":"`...)
	kind := r.IntN(20)
	switch {
	case kind == 0:
		b = append(b, `event","name":"signup"`...)
	case kind == 1:
		b = append(b, `engagement","engaged_ms":`...)
		b = strconv.AppendInt(b, int64(r.IntN(600000)), 10)
		b = append(b, `,"scroll":`...)
		b = strconv.AppendInt(b, int64(r.IntN(101)), 10)
	default:
		b = append(b, `pageview"`...)
	}
	b = append(b, `,"url":"http://localhost`...)
	b = appendFill(b, pages[r.IntN(len(pages))], r.IntN(5000))
	b = append(b, `","referrer":"`...)
	b = append(b, referrers[r.IntN(len(referrers))]...)
	b = append(b, `","title":"`...)
	b = appendFill(b, titles[r.IntN(len(titles))], r.IntN(5000))
	b = append(b, `","screen":"`...)
	b = append(b, screens[r.IntN(len(screens))]...)
	b = append(b, `","lang":"`...)
	b = append(b, langs[r.IntN(len(langs))]...)
	b = append(b, `","eid":"`...)
	b = appendUUID(b, r)
	b = append(b, `","props":{"plan":"`...)
	b = append(b, plans[r.IntN(len(plans))]...)
	b = append(b, `","ab":"`...)
	b = append(b, "ab"[r.IntN(2)])
	b = append(b, `","logged_in":`...)
	b = strconv.AppendBool(b, r.IntN(3) == 0)
	return append(b, `}}`...)
}

// appendFill appends tmpl with its "%d", if any, replaced by n.
func appendFill(b []byte, tmpl string, n int) []byte {
	before, after, ok := strings.Cut(tmpl, "%d")
	b = append(b, before...)
	if ok {
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, after...)
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendUUID appends a random version-4 UUID, as crypto.randomUUID() in the
// browser would produce.
func appendUUID(b []byte, r *rand.Rand) []byte {
	hi, lo := r.Uint64(), r.Uint64()
	hi = hi&^0xf000 | 0x4000
	lo = lo&^(0xc<<60) | 0x8<<60
	var raw [16]byte
	for i := range 8 {
		raw[i] = byte(hi >> (56 - 8*i))
		raw[8+i] = byte(lo >> (56 - 8*i))
	}
	for i, c := range raw {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&15])
	}
	return b
}
