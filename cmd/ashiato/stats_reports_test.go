package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/stats/statstest"
)

const fxFrom, fxTo = statstest.FirstDay, statstest.LastDay

// TestStatsFixture loads the fixture through the collector's HTTP API
// into ClickHouse and compares every report and metric with the answers
// computed in Go from the generated events (collector/stats/statstest):
// three time zones (one with a DST change in the range), filters of every
// kind, comparisons, funnels, retention, journeys, consent, coverage and
// realtime; bots and the erased subject must be absent; and the same
// answers again from the visits rollup.
func TestStatsFixture(t *testing.T) {
	fx := statstest.Generate(19)
	e := loadFixture(t, fx)
	t.Logf("fixture: %d hits, %d decisions", len(fx.Events), len(fx.Decisions))
	t.Run("breakdowns", func(t *testing.T) { e.checkBreakdowns(t) })
	t.Run("time zones", func(t *testing.T) { e.checkTimeZones(t) })
	t.Run("coverage", func(t *testing.T) { e.checkCoverage(t) })
	t.Run("comparison", func(t *testing.T) { e.checkComparison(t) })
	t.Run("funnel", func(t *testing.T) { e.checkFunnel(t) })
	t.Run("retention", func(t *testing.T) { e.checkRetention(t) })
	t.Run("journeys", func(t *testing.T) { e.checkJourneys(t) })
	t.Run("consent", func(t *testing.T) { e.checkConsent(t) })
	t.Run("bad input", func(t *testing.T) { e.checkBadInput(t) })
	t.Run("cli", func(t *testing.T) { e.checkCLI(t) })
	t.Run("realtime", func(t *testing.T) { e.checkRealtime(t) })
	t.Run("readme", func(t *testing.T) { e.checkREADME(t) })
	t.Run("rollup", func(t *testing.T) { e.checkRollup(t) })
}

// checkBreakdowns asks the fixture's breakdown questions (statstest.Questions).
func (e *statsEnv) checkBreakdowns(t *testing.T) {
	qs := statstest.Questions()
	for _, q := range qs {
		e.check(t, q)
	}
	t.Logf("%d breakdown questions", len(qs))
}

// checkTimeZones checks that the day of the DST change in New York has 23 hours.
func (e *statsEnv) checkTimeZones(t *testing.T) {
	_, ans := e.stats(t, "timeseries", "site", "demo", "from", "2026-03-08", "to", "2026-03-08", "tz", "America/New_York", "by", "hour")
	if n := len(ans["results"].([]any)); n != 23 {
		t.Errorf("2026-03-08 in New York has %d hours, want 23", n)
	}
}

// checkCoverage compares the coverage block with the fixture's shares.
func (e *statsEnv) checkCoverage(t *testing.T) {
	q := statstest.Question{Report: "overview", From: fxFrom, To: fxTo, Metrics: []string{"pageviews", "consented_pageviews", "anonymous_pageviews", "consented_visits", "anonymous_visits"}}
	_, _, tot := q.Expected(statstest.Stored(e.fx))
	_, ans := e.stats(t, "overview", q.Params()...)
	cov := ans["coverage"].(map[string]any)
	for k, m := range map[string]string{"pageviews": "pageviews", "consented_pageviews": "consented_pageviews", "anonymous_pageviews": "anonymous_pageviews",
		"consented_visits": "consented_visits", "anonymous_visits": "anonymous_visits"} {
		if !statstest.Same(m, cov[k], tot[m]) {
			t.Errorf("coverage %s = %v, want %v", k, cov[k], tot[m])
		}
	}
	share := tot["consented_pageviews"].(float64) / tot["pageviews"].(float64)
	if c := cov["consented_share"].(float64); c < share-0.0001 || c > share+0.0001 || tot["consented_pageviews"].(float64) == 0 || tot["anonymous_pageviews"].(float64) == 0 {
		t.Errorf("consented_share %v, want %v (of mixed traffic)", c, share)
	}
	if cov["visitors_estimate"] != true || !strings.Contains(fmt.Sprint(cov["flags"]), "visitors_estimate") {
		t.Errorf("a 14-day range with anonymous traffic is not flagged an estimate: %v", cov)
	}
	// Anonymous uniques are per UTC day (the salt's): one day in UTC is
	// exact, one day in Tokyo spans two salts and is an estimate.
	_, one := e.stats(t, "overview", "site", "demo", "from", "2026-03-05", "to", "2026-03-05", "tz", "UTC")
	if one["coverage"].(map[string]any)["visitors_estimate"] != false {
		t.Errorf("one UTC day is flagged an estimate: %v", one["coverage"])
	}
	_, tokyo := e.stats(t, "overview", "site", "demo", "from", "2026-03-05", "to", "2026-03-05", "tz", "Asia/Tokyo")
	if tokyo["coverage"].(map[string]any)["visitors_estimate"] != true {
		t.Errorf("one day in Tokyo (two UTC days) is not flagged an estimate: %v", tokyo["coverage"])
	}
	e.check(t, statstest.Question{Report: "coverage", From: fxFrom, To: fxTo})
}

// checkComparison compares the comparison block with the earlier range.
func (e *statsEnv) checkComparison(t *testing.T) {
	evs := statstest.Stored(e.fx)
	for _, c := range []struct{ compare, from, to string }{{"previous", "2026-03-02", "2026-03-08"}, {"year", "2025-03-09", "2025-03-15"}} {
		_, ans := e.stats(t, "overview", "site", "demo", "from", "2026-03-09", "to", "2026-03-15", "compare", c.compare, "metrics", strings.Join(statstest.AllMetrics(), ","))
		cmp, ok := ans["comparison"].(map[string]any)
		if !ok || cmp["from"] != c.from || cmp["to"] != c.to {
			t.Errorf("compare %s: %v", c.compare, ans["comparison"])
			continue
		}
		_, _, want := statstest.Question{Report: "overview", From: c.from, To: c.to, Metrics: statstest.AllMetrics()}.Expected(evs)
		got := cmp["totals"].(map[string]any)
		for _, m := range statstest.AllMetrics() {
			w, ok := want[m]
			if !ok {
				w = 0.0
				if m == "revenue" {
					w = map[string]float64{}
				}
			}
			if !statstest.Same(m, got[m], w) {
				t.Errorf("compare %s: %s = %v, want %v", c.compare, m, got[m], w)
			}
		}
	}
}

// checkFunnel compares the steps reached.
func (e *statsEnv) checkFunnel(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Tokyo")
	from, to := statstest.Days(fxFrom, fxTo, loc)
	for _, c := range []struct {
		steps  []string
		window int
	}{{[]string{"/", "/pricing", "event:purchase"}, 1800}, {[]string{"/pricing", "/signup"}, 3600}, {[]string{"/blog/a", "/docs", "/checkout"}, 86400}} {
		want := statstest.Funnel(statstest.Stored(e.fx), from, to, loc, c.steps, time.Duration(c.window)*time.Second)
		_, ans := e.stats(t, "funnel", "site", "demo", "from", fxFrom, "to", fxTo, "steps", strings.Join(c.steps, ","), "window", fmt.Sprint(c.window))
		rows, _ := ans["results"].([]any)
		if len(rows) != len(c.steps) {
			t.Fatalf("funnel %v: %v", c.steps, ans)
		}
		for i, r := range rows {
			if v := r.(map[string]any)["visitors"]; v != want[i] {
				t.Errorf("funnel %v step %d: %v visitors, want %v", c.steps, i+1, v, want[i])
			}
		}
		if want[0] == 0 {
			t.Errorf("funnel %v: the fixture reaches no step", c.steps)
		}
	}
}

// checkRetention compares weekly and monthly cohorts.
func (e *statsEnv) checkRetention(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Tokyo")
	from, to := statstest.Days(fxFrom, fxTo, loc)
	for _, by := range []string{"week", "month"} {
		periods := 3 // 14 days: weeks 0, 1 and 2 (docs/METRICS.md: days/7 + 1)
		if by == "month" {
			periods = 1 // days/28 + 1
		}
		want := statstest.Retention(statstest.Stored(e.fx), from, to, loc, by == "month", periods)
		_, ans := e.stats(t, "retention", "site", "demo", "from", fxFrom, "to", fxTo, "by", by)
		rows, _ := ans["results"].([]any)
		if len(rows) != len(want) {
			t.Fatalf("retention by %s: %d cohorts, want %d: %v", by, len(rows), len(want), ans)
		}
		for i, r := range rows {
			g := r.(map[string]any)
			var back []float64
			for _, x := range g["retained"].([]any) {
				back = append(back, x.(float64))
			}
			if g["cohort"] != want[i].Start || g["visitors"] != want[i].Visitors || !reflect.DeepEqual(back, want[i].Retained) {
				t.Errorf("retention by %s cohort %d: %v, want %+v", by, i, g, want[i])
			}
		}
	}
}

// checkJourneys compares the previous and next pages of two pages.
func (e *statsEnv) checkJourneys(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Tokyo")
	from, to := statstest.Days(fxFrom, fxTo, loc)
	for _, page := range []string{"/pricing", "/"} {
		want := statstest.Journeys(statstest.Stored(e.fx), from, to, page, 5)
		_, ans := e.stats(t, "journeys", "site", "demo", "from", fxFrom, "to", fxTo, "page", page, "limit", "5")
		rows, _ := ans["results"].([]any)
		if len(rows) != len(want) || len(want) == 0 {
			t.Fatalf("journeys %s: %d rows, want %d: %v", page, len(rows), len(want), ans)
		}
		for i, r := range rows {
			g, w := r.(map[string]any), want[i]
			if g["direction"] != w.Direction || g["page"] != w.Page || g["transitions"] != w.Transitions || g["visits"] != w.Visits {
				t.Errorf("journeys %s row %d: %v, want %+v", page, i, g, w)
			}
		}
	}
}

// checkConsent compares the opt-in rates with the decisions sent.
func (e *statsEnv) checkConsent(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Tokyo")
	from, to := statstest.Days(fxFrom, fxTo, loc)
	for _, by := range []string{"", "method", "day"} {
		want := statstest.Consent(e.fx.Decisions, from, to, loc, by)
		_, ans := e.stats(t, "consent", "site", "demo", "from", fxFrom, "to", fxTo, "by", by)
		rows, _ := ans["results"].([]any)
		if len(rows) != len(want) || len(want) == 0 {
			t.Fatalf("consent by %q: %d rows, want %d: %v", by, len(rows), len(want), ans)
		}
		for i, r := range rows {
			g, w := r.(map[string]any), want[i]
			if by != "" && g[by] != w.Dim || g["purpose"] != w.Purpose || g["decisions"] != w.Decisions ||
				g["granted_count"] != w.Granted || g["denied_count"] != w.Denied || !statstest.Same("bounce_rate", g["opt_in_rate"], w.OptInRate) {
				t.Errorf("consent by %q row %d: %v, want %+v", by, i, g, w)
			}
		}
	}
}

// checkBadInput: 400 with the field for bad questions, 404 for an
// unknown site, never a ClickHouse message.
func (e *statsEnv) checkBadInput(t *testing.T) {
	for _, c := range []struct {
		report string
		params []string
		status int
		field  string
	}{
		{"nope", nil, 400, "report"},
		{"pages", []string{"metrics", "visitors,nope"}, 400, "metrics"},
		{"pages", []string{"by", "nope"}, 400, "by"},
		{"pages", []string{"filter", "page like /x"}, 400, "filter"},
		{"pages", []string{"filter", "nope is x"}, 400, "filter"},
		{"pages", []string{"from", "2026-02-30"}, 400, "from"},
		{"pages", []string{"to", "2026-03-01"}, 400, "to"},
		{"pages", []string{"from", "2000-01-01"}, 400, "to"},
		{"pages", []string{"tz", "Mars/Base"}, 400, "tz"},
		{"pages", []string{"compare", "decade"}, 400, "compare"},
		{"pages", []string{"limit", "0"}, 400, "limit"},
		{"pages", []string{"site", "nope"}, 404, "site"},
		{"funnel", []string{"steps", "/a"}, 400, "steps"},
		{"props", nil, 400, "by"},
	} {
		p := map[string]string{"site": "demo", "from": fxFrom, "to": fxTo}
		for i := 0; i+1 < len(c.params); i += 2 {
			p[c.params[i]] = c.params[i+1]
		}
		var params []string
		for k, v := range p {
			params = append(params, k, v)
		}
		st, ans := e.stats(t, c.report, params...)
		if st != c.status || ans["field"] != c.field || strings.Contains(fmt.Sprint(ans), "DB::") {
			t.Errorf("%s %v: %d %v, want %d with field %s", c.report, c.params, st, ans, c.status, c.field)
		}
	}
}

// checkCLI runs `ashiato query` with flags after the report name and
// checks it answers what the API answers, and refuses what it refuses.
func (e *statsEnv) checkCLI(t *testing.T) {
	args := []string{"query", "pages", "--clickhouse-dsn", e.Config.DSN, "--site", "demo", "--from", fxFrom, "--to", fxTo,
		"--filter", "referrer_source is_not direct", "--format", "json", "--metrics", "visitors,pageviews,revenue"}
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, &out, &errb); code != 0 {
		t.Fatalf("ashiato %v: exit %d: %s", args, code, errb.String())
	}
	var cli map[string]any
	if err := json.Unmarshal(out.Bytes(), &cli); err != nil {
		t.Fatalf("cli json: %v: %s", err, out.String())
	}
	_, api := e.stats(t, "pages", "site", "demo", "from", fxFrom, "to", fxTo, "filter", "referrer_source is_not direct", "metrics", "visitors,pageviews,revenue")
	if !reflect.DeepEqual(cli["results"], api["results"]) || !reflect.DeepEqual(cli["coverage"], api["coverage"]) {
		t.Errorf("the CLI and the API answer differently:\n%v\n%v", cli, api)
	}
	var n uint64
	e.Store.Conn.QueryRow(context.Background(), "SELECT count() FROM "+e.Store.Dialect.DB+".audit_log WHERE method = 'CLI' AND action = 'stats.pages' AND status = 200").Scan(&n)
	if n != 1 {
		t.Errorf("CLI audit rows: %d, want 1", n)
	}
	for _, bad := range [][]string{{"query", "exports/audience_members", "--site", "demo"}, {"query", "pages", "--site", "demo", "--from", "2026-03-05", "--to", "2026-03-01"}} {
		out.Reset()
		errb.Reset()
		if code := run(context.Background(), append(bad, "--clickhouse-dsn", e.Config.DSN), &out, &errb); code == 0 || out.Len() > 0 {
			t.Errorf("ashiato %v: exit %d, output %q", bad, code, out.String())
		}
	}
}

// checkRealtime sends hits now and asks for the last 30 minutes.
func (e *statsEnv) checkRealtime(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	var evs []statstest.Event
	for i, c := range []struct {
		ago  time.Duration
		path string
		ip   string
	}{{40 * time.Minute, "/old", "10.250.1.7"}, {20 * time.Minute, "/", "10.250.2.7"}, {19 * time.Minute, "/pricing", "10.250.2.7"}, {5 * time.Minute, "/", "10.250.3.7"}, {time.Minute, "/docs", "10.250.4.7"}} {
		ev := statstest.Event{TS: now.Add(-c.ago), Type: "pageview", Path: c.path, IP: c.ip, Agent: statstest.Agents[0], Consent: -1}
		evs = append(evs, ev)
		e.setClock(t, ev.TS)
		body := fmt.Sprintf(`{"site":"demo","url":%q,"eid":"rt-%d"}`, ev.URL(), i)
		if st, resp, _ := e.post(t, "/api/event", body, hitHeaders(ev.Agent.UA, ev.IP, "")); st != 202 {
			t.Fatalf("realtime hit: %d %s", st, resp)
		}
	}
	e.waitCount(t, "1", uint64(len(e.fx.Events)-e.erasedCount()+len(evs)))
	e.setClock(t, now)
	loc, _ := time.LoadLocation("Asia/Tokyo")
	want, _ := statstest.Breakdown(evs, statstest.Query{Dim: "page", Metrics: []string{"visitors", "pageviews"},
		From: now.Add(-30 * time.Minute), To: now.Add(time.Second), Loc: loc, Limit: 100})
	_, ans := e.stats(t, "realtime", "site", "demo")
	statstest.CheckRows(t, "realtime", ans["results"].([]any), want, "page", []string{"visitors", "pageviews"}, false)
}

// erasedCount is how many fixture hits the erasure removed.
func (e *statsEnv) erasedCount() int {
	n := 0
	for _, ev := range e.fx.Events {
		if ev.Erased {
			n++
		}
	}
	return n
}
