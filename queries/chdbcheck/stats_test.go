package chdbcheck

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	chdbpkg "github.com/chdb-io/chdb-go/chdb"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/stats"
	"github.com/ashiato/ashiato/collector/stats/statstest"
	"github.com/ashiato/ashiato/queries"
)

// TestStatsOnCurrentClickHouse runs every report of the stats engine on
// ClickHouse 26 (chDB) over the fixture of collector/stats/statstest,
// stored as the collector stores it, and compares the answers with the
// same expected answers as the ClickHouse 18.16 test (cmd/ashiato
// TestStatsFixture).
func TestStatsOnCurrentClickHouse(t *testing.T) {
	sess, d, version := migrated(t)
	fx := statstest.Generate(19)
	insertFixture(t, sess, fx)
	demo := collector.Site{ID: statstest.Site, TimeZone: "Asia/Tokyo"} // the built-in demo site's zone
	eng := &stats.Engine{Dialect: d, Runner: runner(sess), Log: slog.New(slog.NewTextHandler(os.Stderr, nil)),
		Site: func(id string) *collector.Site {
			if id == demo.ID {
				return &demo
			}
			return nil
		}}
	askAll(t, eng, fx, version)
	// Again from the visits rollup, built with the collector's statements.
	buildRollup(t, sess, d)
	eng.Rollup = true
	sts, err := eng.Statements(stats.Question{Report: "overview", Site: statstest.Site, From: statstest.FirstDay, To: statstest.LastDay})
	if err != nil || !strings.Contains(sts[0].SQL, ".visits") || strings.Contains(sts[0].SQL, ".events") {
		t.Fatalf("the overview should read the rollup alone: %v\n%s", err, sts[0].SQL)
	}
	askAll(t, eng, fx, version+" (rollup)")
}

// askAll asks every question of the fixture and compares the answers.
func askAll(t *testing.T, eng *stats.Engine, fx statstest.Fixture, version string) {
	evs := statstest.Stored(fx)
	for _, q := range statstest.Questions() {
		sq, want, totals := q.Expected(evs)
		name := fmt.Sprintf("ClickHouse %s: %s by=%s tz=%s %s..%s filters=%v", version, q.Report, sq.Dim, q.TZ, q.From, q.To, q.Filters)
		ans := ask(t, eng, q.Stats())
		got, _ := ans["results"].([]any)
		if sq.Dim == "" {
			got, want = []any{ans["totals"]}, []statstest.Row{totals}
			totals["dim"] = "<nil>"
		}
		statstest.CheckRows(t, name, got, want, sq.Dim, sq.Metrics, sq.Series)
	}
	checkSpecial(t, eng, fx)
}

// buildRollup builds the visits rollup of every UTC day of events with
// the rollup job's statements (collector/rollup runs them on a server).
func buildRollup(t *testing.T, sess *chdbpkg.Session, d queries.Dialect) {
	t.Helper()
	byDay, err := queries.Render("rollups/events_by_day", d)
	if err != nil {
		t.Fatal(err)
	}
	build, err := stats.BuildStatement(d)
	if err != nil {
		t.Fatal(err)
	}
	run := func(st stats.Statement, format string) string {
		sql, err := stats.Inline(st)
		if err != nil {
			t.Fatal(err)
		}
		res, err := sess.Query(sql, format)
		if err != nil {
			t.Fatalf("%s: %v", st.Name, err)
		}
		return res.String()
	}
	days := run(stats.Statement{Name: "events_by_day", SQL: byDay, Params: map[string]any{"since": 0}}, "TSV")
	n := 0
	for line := range strings.SplitSeq(strings.TrimSpace(days), "\n") {
		f := strings.Split(line, "\t") // site, day, events, checksum
		day, err := time.Parse(time.DateOnly, f[1])
		if err != nil {
			t.Fatalf("events_by_day: %q", line)
		}
		version := uint64(time.Now().UnixNano())
		run(stats.Statement{Name: "visits_build", SQL: build, Params: map[string]any{"site": f[0], "day": f[1],
			"wfrom": day.Unix(), "wto": day.AddDate(0, 0, 1).Unix(), "version": version}}, "TSV")
		run(stats.Statement{Name: "visits_days", SQL: fmt.Sprintf("INSERT INTO %s.visits_days (site_id, day, version, events, checksum, built_at) VALUES ('%s', '%s', %d, %s, %s, now())",
			d.DB, f[0], f[1], version, f[2], f[3])}, "TSV")
		n++
	}
	if n < 14 {
		t.Fatalf("built %d days, want the fixture's 14 or more", n)
	}
}

// ask runs q and returns its answer as the JSON the API sends, decoded.
func ask(t *testing.T, eng *stats.Engine, q stats.Question) map[string]any {
	t.Helper()
	a, err := eng.Run(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	b, _ := json.Marshal(a)
	var out map[string]any
	json.Unmarshal(b, &out)
	return out
}

// checkSpecial compares the funnel, retention, journeys and consent reports.
func checkSpecial(t *testing.T, eng *stats.Engine, fx statstest.Fixture) {
	loc, _ := time.LoadLocation("Asia/Tokyo")
	from, to := statstest.Days(statstest.FirstDay, statstest.LastDay, loc)
	evs := statstest.Stored(fx)
	base := stats.Question{Site: statstest.Site, From: statstest.FirstDay, To: statstest.LastDay}

	q := base
	q.Report, q.Steps, q.Window = "funnel", []string{"/", "/pricing", "event:purchase"}, 1800
	want := statstest.Funnel(evs, from, to, loc, q.Steps, 30*time.Minute)
	for i, r := range ask(t, eng, q)["results"].([]any) {
		if v := r.(map[string]any)["visitors"]; v != want[i] {
			t.Errorf("funnel step %d: %v, want %v", i+1, v, want[i])
		}
	}
	q = base
	q.Report = "retention"
	cohorts := statstest.Retention(evs, from, to, loc, false, 3)
	rows := ask(t, eng, q)["results"].([]any)
	if len(rows) != len(cohorts) {
		t.Errorf("retention: %d cohorts, want %d", len(rows), len(cohorts))
	}
	for i := range min(len(rows), len(cohorts)) {
		g := rows[i].(map[string]any)
		if g["cohort"] != cohorts[i].Start || g["visitors"] != cohorts[i].Visitors || fmt.Sprint(g["retained"]) != fmt.Sprint(cohorts[i].Retained) {
			t.Errorf("retention cohort %d: %v, want %+v", i, g, cohorts[i])
		}
	}
	q = base
	q.Report, q.Page, q.Limit = "journeys", "/pricing", 5
	js := statstest.Journeys(evs, from, to, "/pricing", 5)
	if got := ask(t, eng, q)["results"].([]any); len(got) != len(js) {
		t.Errorf("journeys: %d rows, want %d", len(got), len(js))
	} else {
		for i, r := range got {
			g := r.(map[string]any)
			if g["page"] != js[i].Page || g["transitions"] != js[i].Transitions || g["visits"] != js[i].Visits {
				t.Errorf("journeys row %d: %v, want %+v", i, g, js[i])
			}
		}
	}
	q = base
	q.Report, q.By = "consent", "method"
	cs := statstest.Consent(fx.Decisions, from, to, loc, "method")
	if got := ask(t, eng, q)["results"].([]any); len(got) != len(cs) {
		t.Errorf("consent: %d rows, want %d", len(got), len(cs))
	} else {
		for i, r := range got {
			g := r.(map[string]any)
			if g["method"] != cs[i].Dim || g["purpose"] != cs[i].Purpose || g["granted_count"] != cs[i].Granted || g["denied_count"] != cs[i].Denied {
				t.Errorf("consent row %d: %v, want %+v", i, g, cs[i])
			}
		}
	}
}

// runner runs the engine's statements on the chDB session, with the
// values written in (chDB has no client-side binding).
func runner(sess *chdbpkg.Session) func(context.Context, stats.Statement) ([]stats.Row, error) {
	var mu sync.Mutex // the engine asks statements at once; one chDB session answers one at a time
	return func(_ context.Context, st stats.Statement) ([]stats.Row, error) {
		mu.Lock()
		defer mu.Unlock()
		sql, err := stats.Inline(st)
		if err != nil {
			return nil, err
		}
		res, err := sess.Query(sql+"\nSETTINGS output_format_json_quote_64bit_integers = 0", "JSON")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", st.Name, err)
		}
		var doc struct {
			Data   []stats.Row `json:"data"`
			Totals stats.Row   `json:"totals"`
		}
		if err := json.Unmarshal(res.Buf(), &doc); err != nil {
			return nil, fmt.Errorf("%s: %w: %.300s", st.Name, err, res.String())
		}
		out := doc.Data
		if st.Totals && doc.Totals != nil {
			doc.Totals[stats.TotalsRow] = true
			out = append(out, doc.Totals)
		}
		for _, row := range out {
			typeArrays(row)
		}
		return out, nil
	}
}

// typeArrays gives the array columns the Go types the driver scans.
func typeArrays(row stats.Row) {
	for k, v := range row {
		a, ok := v.([]any)
		if !ok {
			continue
		}
		switch k {
		case "revenue_currencies":
			s := make([]string, len(a))
			for i, x := range a {
				s[i], _ = x.(string)
			}
			row[k] = s
		case "revenue_amounts":
			f := make([]float64, len(a))
			for i, x := range a {
				f[i], _ = x.(float64)
			}
			row[k] = f
		default:
			u := make([]uint64, len(a))
			for i, x := range a {
				n, _ := x.(float64)
				u[i] = uint64(n)
			}
			row[k] = u
		}
	}
}

// insertFixture stores the fixture's events (bots included, the erased
// subject already gone) and decisions as the collector stores them.
func insertFixture(t *testing.T, sess *chdbpkg.Session, fx statstest.Fixture) {
	t.Helper()
	var rows []string
	for i, e := range fx.Events {
		if e.Erased {
			continue
		}
		var hash uint64
		if e.Visitor == "" {
			h := fnv.New64a()
			h.Write([]byte(statstest.AnonKey(e)))
			hash = h.Sum64()
		}
		var keys, vals []string
		for _, p := range e.Props {
			keys, vals = append(keys, lit(p[0])), append(vals, lit(p[1]))
		}
		bot := 0
		if e.Bot {
			bot = 1
		}
		a := e.Agent
		rows = append(rows, fmt.Sprintf("('00000000-0000-4000-8000-%012d', 'demo', %d, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %d, %s, %d, %d, %d, [%s], [%s])",
			i, e.TS.Unix(), lit(e.Type), lit(e.Name), lit(statstest.Host), lit(e.Path), lit(e.Src.RefHost), lit(e.Src.RefSource), lit(e.Src.RefName),
			lit(e.Src.UTMSource), lit(e.Src.UTMMedium), lit(e.Src.UTMCampaign), lit(e.Src.UTMTerm), lit(e.Src.UTMContent), lit(e.Click),
			lit(a.Screen), lit(e.Lang), lit(a.Browser), lit(a.BrowserVersion), lit(a.OS), lit(a.OSVersion), lit(a.Device), lit(e.Country),
			lit(e.Visitor), hash, lit(e.SessionID), bot, e.EngagedMS, e.Scroll, strings.Join(keys, ", "), strings.Join(vals, ", ")))
	}
	ins := "INSERT INTO ashiato.events (event_id, site_id, ts, type, name, url_host, url_path, referrer_host, referrer_source, referrer_name, " +
		"utm_source, utm_medium, utm_campaign, utm_term, utm_content, click_id_type, screen, lang, browser, browser_version, os, os_version, " +
		"device_type, country, visitor_id, visitor_hash, session_id, is_bot, engaged_ms, scroll_depth, prop_keys, prop_values) VALUES "
	if _, err := sess.Query(ins+strings.Join(rows, ",\n"), "TSV"); err != nil {
		t.Fatalf("insert the fixture: %v", err)
	}
	var ds []string
	for i, d := range fx.Decisions {
		ds = append(ds, fmt.Sprintf("('c-%d', 'demo', %d, %s, [%s], [%s], 1, %s)", i, d.TS.Unix(), lit(d.Visitor),
			lits(d.Granted()), lits(d.Denied()), lit(d.Method)))
	}
	if _, err := sess.Query("INSERT INTO ashiato.consent_log (consent_id, site_id, ts, visitor_id, granted, denied, revision, method) VALUES "+
		strings.Join(ds, ", "), "TSV"); err != nil {
		t.Fatalf("insert the decisions: %v", err)
	}
}

func lit(s string) string { return stats.Literal(s) }

func lits(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = lit(s)
	}
	return strings.Join(out, ", ")
}
