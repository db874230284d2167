package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/rollup"
	"github.com/ashiato/ashiato/collector/stats"
	"github.com/ashiato/ashiato/collector/stats/statstest"
)

// checkRollup builds the visits rollup of the fixture and asks the
// questions again: every answer must stay what the events give, when the
// rollup answers every day and when a stale day in the middle of the
// range splits the answer between the rollup and events.
func (e *statsEnv) checkRollup(t *testing.T) {
	ctx := context.Background()
	res, err := rollup.Refresh(ctx, e.Main.store, time.Time{}, time.Now)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if len(res.Rebuilt) < 14 {
		t.Fatalf("refresh rebuilt %d days, want the fixture's 14 or more: %+v", len(res.Rebuilt), res)
	}
	again, err := rollup.Refresh(ctx, e.Main.store, time.Time{}, time.Now)
	if err != nil || len(again.Rebuilt)+len(again.Removed) != 0 {
		t.Fatalf("a second refresh with no change rebuilt %+v (%v)", again, err)
	}
	var visits uint64
	if err := e.Store.Conn.QueryRow(ctx, "SELECT count() FROM "+e.Store.Dialect.DB+".visits WHERE site_id = 'demo'").Scan(&visits); err != nil || visits == 0 {
		t.Fatalf("visits rollup: %d rows (%v)", visits, err)
	}
	eng := e.Main.statsEngine(e.Main.privacy.svc.Sites)
	eng.FreshFor = 0 // each check below must see the table as it is
	q := stats.Question{Report: "overview", Site: "demo", From: fxFrom, To: fxTo}
	sts, err := eng.Statements(q)
	if err != nil || !strings.Contains(sts[0].SQL, ".visits") || strings.Contains(sts[0].SQL, ".events") {
		t.Fatalf("with every day fresh the overview should read the rollup alone: %v\n%s", err, sts[0].SQL)
	}
	t.Run("fresh", func(t *testing.T) { e.askVisitReports(t) })

	// A newer build record whose event count no longer matches the
	// day's: the engine must read that day and the rest from events.
	stale := statstest.First.AddDate(0, 0, 6)
	b, err := e.Store.Conn.PrepareBatch(ctx, "INSERT INTO "+e.Store.Dialect.DB+".visits_days (site_id, day, version, events, checksum, built_at)")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Append("demo", stale, uint64(time.Now().UnixNano()), uint64(1), uint64(1), time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	sts, err = eng.Statements(q)
	if err != nil || !strings.Contains(sts[0].SQL, "UNION ALL") {
		t.Fatalf("a stale day should split the answer between the rollup and events: %v\n%s", err, sts[0].SQL)
	}
	if split := eng.Fresh(ctx, "demo", statstest.First, statstest.First.AddDate(0, 0, 14)); !split.Equal(stale) {
		t.Fatalf("fresh until %s, want %s (the stale day)", split, stale)
	}
	t.Run("split", func(t *testing.T) { e.askVisitReports(t) })
	res, err = rollup.Refresh(ctx, e.Main.store, time.Time{}, time.Now)
	if err != nil || len(res.Rebuilt) != 1 || res.Rebuilt[0].Day != stale.Format(time.DateOnly) {
		t.Fatalf("refresh after the stale record rebuilt %+v (%v), want only %s", res, err, stale.Format(time.DateOnly))
	}
	t.Run("erasure", func(t *testing.T) { e.checkRollupErasure(t) })
}

// checkRollupErasure erases a consented visitor whose visits the rollup
// holds: the erasure deletes them there too, the reports leave the
// visitor out before and after the rollup is refreshed.
func (e *statsEnv) checkRollupErasure(t *testing.T) {
	ctx := context.Background()
	var who string
	for _, ev := range e.fx.Events {
		if ev.Visitor != "" && !ev.Erased && !ev.Bot {
			who = ev.Visitor
			break
		}
	}
	vid := e.vids[who]
	countVisits := func() uint64 {
		var n uint64
		if err := e.Store.Conn.QueryRow(ctx, "SELECT count() FROM "+e.Store.Dialect.DB+".visits WHERE site_id = 'demo' AND visitor_id = ?", vid).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if countVisits() == 0 {
		t.Fatalf("the rollup holds no visit of visitor %s", who)
	}
	if st, b := privCall(t, e.Main, "POST", "/admin/api/privacy/erase", e.query, map[string]string{"site": "demo", "visitor": vid}, nil); st != 200 {
		t.Fatalf("erase: %d %s", st, b)
	}
	e.waitCount(t, "visitor_id = '"+vid+"'", 0)
	deadline := time.Now().Add(20 * time.Second)
	for countVisits() > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := countVisits(); n > 0 {
		t.Fatalf("%d visits of the erased visitor left in the rollup", n)
	}
	for i := range e.fx.Events {
		if e.fx.Events[i].Visitor == who {
			e.fx.Events[i].Erased = true
		}
	}
	overview := statstest.Question{Report: "overview", From: fxFrom, To: fxTo, Metrics: statstest.AllMetrics()}
	e.check(t, overview) // the days the erasure changed are read from events
	if _, err := rollup.Refresh(ctx, e.Main.store, time.Time{}, time.Now); err != nil {
		t.Fatal(err)
	}
	if n := countVisits(); n > 0 {
		t.Fatalf("the refresh built %d visits of the erased visitor again", n)
	}
	e.check(t, overview)
	e.checkJourneys(t)
}

// askVisitReports asks the questions the rollup can answer.
func (e *statsEnv) askVisitReports(t *testing.T) {
	e.checkBreakdowns(t)
	e.checkTimeZones(t)
	e.checkCoverage(t)
	e.checkComparison(t)
	e.checkJourneys(t)
	e.checkFunnel(t)
	e.checkRetention(t)
}

// checkREADME runs the example commands of README's "For marketers" on
// the fixture and compares their output with what the README shows.
func (e *statsEnv) checkREADME(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, _ := strings.Cut(string(b), "## For marketers")
	_, block, _ := strings.Cut(sec, "```\n")
	block, _, _ = strings.Cut(block, "```")
	lines := strings.Split(block, "\n")
	n := 0
	for i := 0; i < len(lines); i++ {
		cmd, ok := strings.CutPrefix(lines[i], "$ ashiato ")
		if !ok {
			continue
		}
		for strings.HasSuffix(cmd, "\\") && i+1 < len(lines) {
			i++
			cmd = strings.TrimSuffix(cmd, "\\") + strings.TrimSpace(lines[i])
		}
		var want []string
		for i+1 < len(lines) && !strings.HasPrefix(lines[i+1], "$ ") {
			i++
			want = append(want, lines[i])
		}
		args := append(strings.Fields(strings.ReplaceAll(cmd, "'", "")), "--clickhouse-dsn", e.Config.DSN)
		args = joinFilters(args)
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &out, &errb); code != 0 {
			t.Fatalf("ashiato %v: exit %d: %s", args, code, errb.String())
		}
		if got, w := trimLines(out.String()), trimLines(strings.Join(want, "\n")); got != w {
			t.Errorf("README: ashiato %s printed:\n%s\nthe README shows:\n%s", cmd, got, w)
		}
		n++
	}
	if n < 3 {
		t.Fatalf("README's marketers section has %d example commands, want 3", n)
	}
}

// joinFilters puts a --filter's words back together: "entry_page is
// /pricing" is one argument.
func joinFilters(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		if args[i] == "--filter" && i+3 < len(args) {
			out = append(out, args[i], args[i+1]+" "+args[i+2]+" "+args[i+3])
			i += 3
			continue
		}
		out = append(out, args[i])
	}
	return out
}

// trimLines drops the trailing blanks of every line (a table's empty last
// cells) and the blank lines around the text.
func trimLines(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}
