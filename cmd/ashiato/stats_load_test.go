package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/admin"
	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/consent"
	"github.com/ashiato/ashiato/collector/stats/statstest"
	"github.com/ashiato/ashiato/collector/store/chtest"
)

// fakeClock is Main's clock in the stats fixture: each hit is received at
// the time the fixture says.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Set(t time.Time)         { c.ns.Store(t.UnixNano()) }
func (c *fakeClock) clock() func() time.Time { return c.Now }

// statsEnv is a collector loaded with the stats fixture.
type statsEnv struct {
	*testServer
	clock *fakeClock
	fx    statstest.Fixture
	vids  map[string]string // placeholder → the visitor ID the server issued
	query string            // an admin token with the query scope
}

// setClock moves the collector's clock to ts. When the UTC day changes it
// loads that day's salt at once, as the salter's periodic refresh would
// in a collector that lives through midnight: until then anonymous hits
// get no visitor hash.
func (e *statsEnv) setClock(t *testing.T, ts time.Time) {
	t.Helper()
	before := consent.Day(time.Unix(0, e.clock.ns.Load()))
	e.clock.Set(ts)
	if consent.Day(ts).Equal(before) && e.Main.salter.Ready() {
		return
	}
	if err := e.Main.salter.Refresh(context.Background()); err != nil {
		t.Fatalf("salt refresh: %v", err)
	}
}

// loadFixture starts a collector whose clock the test sets, sends every
// consent decision and hit of the fixture through the HTTP API in time
// order, waits until ClickHouse holds them, and erases the fixture's
// erased subject through the admin API. args are more serve flags.
func loadFixture(t *testing.T, fx statstest.Fixture, args ...string) *statsEnv {
	t.Helper()
	dsn, _ := chtest.DSN(t)
	st := chtest.Open(t, dsn)
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg, err := config.Load(fs, append([]string{"--listen", "127.0.0.1:0", "--clickhouse-dsn", dsn, "--data-dir", t.TempDir(),
		"--batch-interval", "100ms", "--rate-per-ip", "0", "--trusted-proxies", "127.0.0.1/32,::1/128",
		"--trust-country-headers", "true", "--log-level", "info"}, args...), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{}
	clock.Set(statstest.First)
	logs := &syncBuffer{}
	m := &Main{Config: cfg, Log: newLogger(logs, cfg.LogLevel), Now: clock.clock()}
	m.privacy.settle = 300 * time.Millisecond
	m.freshFor = -1 // the rollup checks change the rollup between questions
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := m.Run(ctx); err != nil {
		m.Close()
		t.Fatalf("start collector: %v\nlogs:\n%s", err, logs)
	}
	t.Cleanup(func() { m.Close() })
	e := &statsEnv{testServer: &testServer{Main: m, URL: "http://" + m.Addr, Store: st, Logs: logs}, clock: clock, fx: fx, vids: map[string]string{}}
	// Parse every User-Agent before the hits: on a busy machine a parse
	// still queued when the writer needs it leaves the event's browser
	// fields empty (the collector's documented trade-off), which would
	// make the expected answers race the load.
	for _, ev := range fx.Events {
		m.enricher.UA(ev.Agent.UA)
	}
	e.send(t)
	e.waitCount(t, "1", uint64(len(fx.Events)))
	plain, _, err := (&admin.Tokens{Store: st}).Create(context.Background(), "stats", []string{admin.ScopeQuery, admin.ScopePrivacy})
	if err != nil {
		t.Fatal(err)
	}
	e.query = plain
	e.eraseSubject(t)
	return e
}

// send posts the decisions and hits in time order, each at its time.
func (e *statsEnv) send(t *testing.T) {
	t.Helper()
	_, cfgBody, _ := e.get(t, "/api/consent/config?site=demo", nil)
	var bc struct {
		Revision  int    `json:"revision"`
		TextsHash string `json:"texts_hash"`
	}
	if err := json.Unmarshal([]byte(cfgBody), &bc); err != nil {
		t.Fatalf("consent config: %v", err)
	}
	tokens := map[int]string{}
	order := make([]int, len(e.fx.Decisions)) // decisions in time order
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return e.fx.Decisions[order[i]].TS.Before(e.fx.Decisions[order[j]].TS) })
	d := 0
	for i, ev := range e.fx.Events {
		for ; d < len(order) && !e.fx.Decisions[order[d]].TS.After(ev.TS); d++ {
			tokens[order[d]] = e.decide(t, e.fx.Decisions[order[d]], bc.Revision, bc.TextsHash)
		}
		e.setClock(t, ev.TS)
		body := map[string]any{"site": "demo", "type": ev.Type, "url": ev.URL(), "referrer": ev.Referrer,
			"screen": ev.Agent.Screen, "lang": ev.Lang, "eid": fmt.Sprintf("fx-%d", i)}
		if ev.Type == "event" {
			body["name"] = ev.Name
		}
		if ev.Type == "engagement" {
			body["engaged_ms"], body["scroll"] = ev.EngagedMS, ev.Scroll
		}
		if len(ev.Props) > 0 {
			props := map[string]string{}
			for _, p := range ev.Props {
				props[p[0]] = p[1]
			}
			body["props"] = props
		}
		if ev.Consent >= 0 {
			body["consent"], body["sid"] = tokens[ev.Consent], ev.SessionID
		}
		b, _ := json.Marshal(body)
		if st, resp, _ := e.post(t, "/api/event", string(b), hitHeaders(ev.Agent.UA, ev.IP, ev.Country)); st != 202 {
			t.Fatalf("event %d: %d %s", i, st, resp)
		}
	}
	for ; d < len(order); d++ {
		e.decide(t, e.fx.Decisions[order[d]], bc.Revision, bc.TextsHash)
	}
}

func hitHeaders(ua, ip, country string) map[string]string {
	h := map[string]string{"User-Agent": ua, "X-Forwarded-For": ip, "Origin": "http://localhost:3000"}
	if country != "" {
		h["CF-IPCountry"] = country
	}
	return h
}

// decide records a decision at its time and returns its token.
func (e *statsEnv) decide(t *testing.T, d statstest.Decision, revision int, textsHash string) string {
	t.Helper()
	e.setClock(t, d.TS)
	var granted []string
	if d.Method == "custom" {
		granted = []string{"analytics"}
	}
	b, _ := json.Marshal(map[string]any{"site": "demo", "granted": granted, "method": d.Method,
		"revision": revision, "texts_hash": textsHash, "lang": "en"})
	st, resp, _ := e.post(t, "/api/consent", string(b), hitHeaders(d.Agent.UA, d.IP, ""))
	if st != 200 {
		t.Fatalf("POST /api/consent: %d %s", st, resp)
	}
	var out struct {
		Token string `json:"token"`
		VID   string `json:"vid"`
	}
	json.Unmarshal([]byte(resp), &out)
	if d.Visitor != "" {
		if out.VID == "" {
			t.Fatalf("decision %s gave no visitor ID: %s", d.Method, resp)
		}
		e.vids[d.Visitor] = out.VID
	}
	return out.Token
}

// eraseSubject erases the fixture's erased visitor and waits until none
// of its events is left.
func (e *statsEnv) eraseSubject(t *testing.T) {
	t.Helper()
	var who string
	for _, ev := range e.fx.Events {
		if ev.Erased {
			who = e.vids[ev.Visitor]
			break
		}
	}
	if who == "" {
		t.Fatal("the fixture has no erased subject")
	}
	if st, b := privCall(t, e.Main, "POST", "/admin/api/privacy/erase", e.query, map[string]string{"site": "demo", "visitor": who}, nil); st != 200 {
		t.Fatalf("erase: %d %s", st, b)
	}
	e.waitCount(t, "visitor_id = '"+who+"'", 0)
}

// stats calls GET /admin/api/stats/{report} and decodes the answer.
func (e *statsEnv) stats(t *testing.T, report string, params ...string) (int, map[string]any) {
	t.Helper()
	var q []string
	for i := 0; i+1 < len(params); i += 2 {
		q = append(q, params[i]+"="+url.QueryEscape(params[i+1]))
	}
	var out map[string]any
	st, body := privCall(t, e.Main, "GET", "/admin/api/stats/"+report+"?"+strings.Join(q, "&"), e.query, nil, &out)
	if out == nil {
		t.Fatalf("stats %s: %d %s", report, st, body)
	}
	return st, out
}
