package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/ashiato/ashiato/collector"
)

const (
	firefoxUA = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0 ashiatoE2Emarker/7.3"
	googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
	clientIP  = "203.0.113.77"
)

// TestEndToEnd starts the collector, posts the kinds of hits a site sends
// and reads back exactly the rows and columns expected; then checks that the
// client IP and the raw User-Agent appear nowhere: not in ClickHouse, not in
// the logs, not in the data folder.
func TestEndToEnd(t *testing.T) {
	ts := startServer(t, "--trusted-proxies", "127.0.0.1/32,::1/128")
	hdr := func(extra ...string) map[string]string {
		h := map[string]string{"User-Agent": firefoxUA, "X-Forwarded-For": clientIP, "Origin": "http://localhost:3000"}
		for i := 0; i+1 < len(extra); i += 2 {
			h[extra[i]] = extra[i+1]
		}
		return h
	}
	token, vid, _ := ts.consentToken(t, "custom", []string{"analytics", "personalization"}, hdr())
	adToken, _, _ := ts.consentToken(t, "accept_all", nil, hdr())
	if token == "" || vid == "" {
		t.Fatal("consent answer without token or vid")
	}

	steps := []struct {
		name    string
		body    string
		headers map[string]string
		status  int
		want    string // substring of the answer
	}{
		{"anonymous pageview", `{"site":"demo","url":"http://localhost:3000/anon?utm_source=news&email=x%40y.z&gclid=G1#top","referrer":"https://www.google.com/search?q=x","vid":"client-made","sid":"s1"}`, hdr(), 202, `"accepted":1`},
		{"consented custom event", `{"site":"demo","type":"event","name":"signup","url":"http://localhost:3000/consented?tab=2","props":{"plan":"pro","seats":3,"trial":true},"sid":"sess-1","consent":"` + token + `"}`, hdr(), 202, `"accepted":1`},
		{"crawler", `{"site":"demo","url":"http://localhost:3000/crawled"}`, hdr("User-Agent", googlebot), 202, `"accepted":1`},
		{"GPC strips advertising", `{"site":"demo","url":"http://localhost:3000/gpc?gclid=G2","consent":"` + adToken + `"}`, hdr("Sec-GPC", "1"), 202, `"accepted":1`},
		{"advertising keeps click ID", `{"site":"demo","url":"http://localhost:3000/ads?gclid=G3","consent":"` + adToken + `"}`, hdr(), 202, `"accepted":1`},
		{"batch with one bad event", `[{"site":"demo","url":"http://localhost:3000/batch-ok"},{"site":"demo","url":"mailto:x"}]`, hdr(), 202, `"field":"url"`},
		{"content type in any case", `{"site":"demo","url":"http://localhost:3000/ct"}`, hdr("Content-Type", "Application/JSON; charset=UTF-8"), 202, `"accepted":1`},
		{"form content type", `{"site":"demo","url":"http://localhost:3000/form"}`, hdr("Content-Type", "application/x-www-form-urlencoded"), 400, `"field":"content-type"`},
		{"bad body", `{"site":`, hdr(), 400, `"field":"body"`},
		{"missing url", `{"site":"demo"}`, hdr(), 400, `"field":"url"`},
		{"unknown site", `{"site":"nope","url":"http://localhost:3000/"}`, hdr(), 403, `"error":"unknown_site"`},
		{"foreign origin", `{"site":"demo","url":"http://localhost:3000/"}`, hdr("Origin", "https://evil.example"), 403, `"error":"origin_denied"`},
		{"foreign page host", `{"site":"demo","url":"https://evil.example/"}`, hdr(), 400, `"field":"url"`},
		{"too large", `{"site":"demo","url":"http://localhost:3000/","title":"` + strings.Repeat("x", 70<<10) + `"}`, hdr(), 413, `"error":"too_large"`},
	}
	for _, s := range steps {
		st, body, h := ts.post(t, "/api/event", s.body, s.headers)
		if st != s.status || !strings.Contains(body, s.want) {
			t.Errorf("%s: %d %s; want %d with %s", s.name, st, body, s.status, s.want)
		}
		if st == 202 && h.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
			t.Errorf("%s: CORS origin %q", s.name, h.Get("Access-Control-Allow-Origin"))
		}
	}
	st, _, h := ts.get(t, "/api/event.gif?site=demo&url=http%3A%2F%2Flocalhost%3A3000%2Fpixel&p.src=noscript", hdr())
	if st != 200 || h.Get("Content-Type") != "image/gif" {
		t.Fatalf("gif: %d %s", st, h.Get("Content-Type"))
	}
	// A consent token in the pixel's URL is refused (it would land in
	// access logs): the hit is not stored.
	st, _, h = ts.get(t, "/api/event.gif?site=demo&url=http%3A%2F%2Flocalhost%3A3000%2Ftokened&consent=a1.x.y", hdr())
	if st != 400 || h.Get("Content-Type") != "image/gif" || !strings.Contains(h.Get("X-Ashiato-Error"), `"field":"consent"`) {
		t.Fatalf("gif with a token in the URL: %d %s %s", st, h.Get("Content-Type"), h.Get("X-Ashiato-Error"))
	}

	ts.waitCount(t, "1", 8)
	type row struct {
		Path, Query, RefSource, Browser, OS, Device, VisitorID, SessionID, ClickID, ConsentID, UTM string
		VisitorHash                                                                                uint64
		IsBot                                                                                      uint8
		Purposes, PropKeys, PropValues                                                             []string
	}
	rows := map[string]row{}
	r, err := ts.Store.Conn.Query(context.Background(), `SELECT url_path, url_query, referrer_source, browser, os, device_type,
		visitor_id, session_id, click_id, consent_id, utm_source, visitor_hash, is_bot, purposes, prop_keys, prop_values FROM `+ts.Store.Dialect.DB+`.events`)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var x row
		if err := r.Scan(&x.Path, &x.Query, &x.RefSource, &x.Browser, &x.OS, &x.Device, &x.VisitorID, &x.SessionID, &x.ClickID, &x.ConsentID, &x.UTM, &x.VisitorHash, &x.IsBot, &x.Purposes, &x.PropKeys, &x.PropValues); err != nil {
			t.Fatal(err)
		}
		rows[x.Path] = x
	}
	r.Close()
	if _, ok := rows["/tokened"]; ok {
		t.Error("the pixel with a token in its URL was stored")
	}

	anon := rows["/anon"]
	if anon.Query != "utm_source=news" || anon.VisitorID != "" || anon.SessionID != "" || anon.ClickID != "" || anon.VisitorHash == 0 ||
		anon.UTM != "news" || anon.RefSource != "paid" || anon.ConsentID != "" || !slices.Equal(anon.Purposes, []string{"necessary"}) {
		t.Errorf("anonymous row: %+v", anon)
	}
	if anon.Browser != "Firefox" || anon.OS != "Linux" || anon.Device != "desktop" || anon.IsBot != 0 {
		t.Errorf("anonymous row UA fields: %+v", anon)
	}
	c := rows["/consented"]
	if c.VisitorID != vid || c.SessionID != "sess-1" || c.VisitorHash != 0 || c.Query != "tab=2" || c.ConsentID == "" ||
		!slices.Equal(c.PropKeys, []string{"plan", "seats", "trial"}) || !slices.Equal(c.PropValues, []string{"pro", "3", "true"}) {
		t.Errorf("consented row: %+v", c)
	}
	if rows["/crawled"].IsBot != 1 {
		t.Errorf("crawler not flagged: %+v", rows["/crawled"])
	}
	if g := rows["/gpc"]; g.ClickID != "" || slices.Contains(g.Purposes, "advertising") {
		t.Errorf("GPC row kept advertising data: %+v", g)
	}
	if a := rows["/ads"]; a.ClickID != "G3" || !slices.Contains(a.Purposes, "advertising") {
		t.Errorf("advertising row: %+v", a)
	}
	if _, ok := rows["/batch-ok"]; !ok {
		t.Error("the valid event of a partly bad batch was lost")
	}
	if p := rows["/pixel"]; !slices.Equal(p.PropValues, []string{"noscript"}) {
		t.Errorf("gif row: %+v", p)
	}

	// Privacy: the client IP and raw UA appear nowhere.
	dataDir := ts.Config.DataDir
	dump := ts.dumpAll(t)
	ts.Main.Close()
	for _, secret := range []string{clientIP, "ashiatoE2Emarker", firefoxUA} {
		if strings.Contains(dump, secret) {
			t.Errorf("ClickHouse holds %q", secret)
		}
		if strings.Contains(ts.Logs.String(), secret) {
			t.Errorf("logs hold %q", secret)
		}
		filepath.WalkDir(dataDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, _ := os.ReadFile(p)
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("data folder file %s holds %q", p, secret)
			}
			return nil
		})
	}
	if !strings.Contains(dump, "Firefox") {
		t.Error("dump does not contain parsed fields; the privacy search would be vacuous")
	}
}

// TestConsentEndpoints covers recording, reading and withdrawing a decision
// and the ledger rows they leave.
func TestConsentEndpoints(t *testing.T) {
	ts := startServer(t)
	token, vid, id := ts.consentToken(t, "accept_all", nil, map[string]string{"Sec-GPC": "1"})
	st, body, _ := ts.get(t, "/api/consent?site=demo", map[string]string{"Authorization": "Bearer " + token})
	if st != 200 || !strings.Contains(body, vid) || strings.Contains(body, `"advertising"]`) && !strings.Contains(body, `"denied":["advertising"]`) {
		t.Fatalf("GET /api/consent: %d %s", st, body)
	}
	var cur struct{ Granted, Denied []string }
	json.Unmarshal([]byte(body), &cur)
	if slices.Contains(cur.Granted, "advertising") || !slices.Contains(cur.Denied, "advertising") {
		t.Fatalf("GPC accept_all granted advertising: %s", body)
	}
	if st, _, _ := ts.get(t, "/api/consent?site=demo", nil); st != 404 {
		t.Fatalf("GET without a token: %d, want 404", st)
	}
	// A stale banner (old texts hash) is refused; nothing is recorded.
	st, body, _ = ts.post(t, "/api/consent", `{"site":"demo","granted":[],"method":"reject_all","revision":1,"texts_hash":"stale"}`, nil)
	if st != 400 || !strings.Contains(body, `"field":"texts_hash"`) {
		t.Fatalf("stale texts: %d %s", st, body)
	}
	// Withdrawal through the cookie keeps the subject key.
	wtoken, wvid, wid := ts.consentToken(t, "withdraw", nil, map[string]string{"Cookie": "ashiato_consent=" + token})
	if wvid != "" || wtoken == "" || wid == id {
		t.Fatalf("withdrawal answer: vid=%q token=%q", wvid, wtoken)
	}
	ctx := context.Background()
	// accept_all + withdraw, once the ledger's writer stored them.
	waitLedger(t, ts.Store, 2, "visitor_id = ? AND method IN ('accept_all', 'withdraw')", vid)
	var gpc uint8
	var hash string
	ts.Store.Conn.QueryRow(ctx, "SELECT gpc, texts_hash FROM "+ts.Store.Dialect.DB+".consent_log WHERE consent_id = ?", id).Scan(&gpc, &hash)
	if gpc != 1 || len(hash) != 64 {
		t.Fatalf("ledger row: gpc=%d hash=%q", gpc, hash)
	}
	// Consent analytics, without identifiers: the GPC accept_all denied advertising.
	sql, err := ts.Store.Render("consent_decisions_by_day")
	if err != nil {
		t.Fatal(err)
	}
	var granted, denied uint64
	err = ts.Store.Conn.QueryRow(ctx, "SELECT sum(granted_count), sum(denied_count) FROM ("+sql+") WHERE method = 'accept_all' AND purpose = 'advertising'",
		clickhouse.Named("site", "demo"), clickhouse.Named("from", time.Now().Add(-time.Hour)), clickhouse.Named("to", time.Now().Add(time.Hour)),
		clickhouse.Named("tz", "UTC")).Scan(&granted, &denied)
	if err != nil || granted != 0 || denied != 1 {
		t.Fatalf("consent_decisions_by_day: advertising granted %d denied %d (err %v), want 0 and 1", granted, denied, err)
	}
	p, err := ts.Store.ConsentProof(ctx, id)
	if err != nil || p == nil || !strings.Contains(p.Shown[hash], "Usage analysis") {
		t.Fatalf("proof: %+v err %v", p, err)
	}
}

// A body over the limit gets its 413 with a machine-readable reason on a
// connection that stays usable: the client may still be sending when the
// answer is written, and a connection closed under it would turn the 413
// into a reset (the SDK would then retry a hit that can never land).
func TestTooLargeBodyKeepsTheConnection(t *testing.T) {
	ts := startServer(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	send := func(body string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", ts.URL+"/api/event", strings.NewReader(body))
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set("Origin", "http://localhost:3000")
		if err := req.Write(conn); err != nil {
			t.Fatalf("write: %v", err)
		}
		resp, err := http.ReadResponse(r, req)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	for _, size := range []int{collector.MaxBodyBytes + 1, 100 << 10, collector.ReadBodyLimit - 200} {
		body := `{"site":"demo","url":"http://localhost:3000/","title":"` + strings.Repeat("x", size) + `"}`
		resp, answer := send(body)
		if resp.StatusCode != 413 || !strings.Contains(answer, `"error":"too_large"`) || resp.Close {
			t.Fatalf("%d-byte body: %d %s (close %v); want 413 too_large on an open connection", len(body), resp.StatusCode, answer, resp.Close)
		}
	}
	resp, answer := send(`{"site":"demo","url":"http://localhost:3000/after-too-large"}`)
	if resp.StatusCode != 202 {
		t.Fatalf("the next hit on the same connection: %d %s", resp.StatusCode, answer)
	}
}
