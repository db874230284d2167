package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/stats"
	"github.com/ashiato/ashiato/collector/stats/statstest"
)

// TestStatsArchive: the default view of a site is answered from the
// archive (as_of set) with exactly the live answer; a view computed
// under min_visits, a question outside the view, a view older than twice
// the period and an erasure all answer live; after an erasure the next
// archived view matches the live answer without the subject. The loop's
// period is an hour: its first refresh ran at start, on an empty
// database; the test refreshes by hand.
func TestStatsArchive(t *testing.T) {
	e := loadFixture(t, statstest.Generate(19), "--stats-archive-every", "1h", "--stats-archive-min-visits", "100")
	a := e.Main.archive
	if a == nil {
		t.Fatal("no archive with --stats-archive-every 1h")
	}
	ctx := context.Background()
	today := e.clock.clock()().In(mustZone(t, "demo", e)).Format(time.DateOnly)
	view := stats.DefaultView("demo", today)
	live := e.Main.statsEngine(e.Main.privacy.svc.Sites)
	live.FreshFor = 0

	// check asks every question of the view through the admin API and
	// compares it with the live engine's answer; archived says whether
	// each must carry as_of.
	check := func(t *testing.T, archived bool) {
		t.Helper()
		for _, q := range view {
			got := e.apiAnswer(t, q)
			asOf, _ := got["as_of"].(string)
			if (asOf != "") != archived {
				t.Fatalf("%s: as_of %q, want archived=%v", q.Report, asOf, archived)
			}
			delete(got, "as_of")
			want, err := live.Run(ctx, q)
			if err != nil {
				t.Fatalf("%s live: %v", q.Report, err)
			}
			if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
				t.Fatalf("%s: archived answer differs from the live one\narchive %s\nlive    %s", q.Report, g, w)
			}
		}
	}
	check(t, false) // computed at start, under min_visits: not kept
	a.Refresh(ctx)
	check(t, true)
	if ov := e.apiAnswer(t, view[0]); ov["totals"].(map[string]any)["visits"].(float64) < 100 {
		t.Fatalf("the fixture's default view has too few visits to mean anything: %v", ov["totals"])
	}

	t.Run("outside the view", func(t *testing.T) {
		q := view[0]
		q.Filters = []string{"device is mobile"}
		if got := e.apiAnswer(t, q); got["as_of"] != nil {
			t.Fatalf("a filtered question was answered from the archive: %v", got["as_of"])
		}
		q = view[2]
		q.Limit = 11
		if got := e.apiAnswer(t, q); got["as_of"] != nil {
			t.Fatalf("another limit was answered from the archive: %v", got["as_of"])
		}
	})

	t.Run("erasure", func(t *testing.T) {
		before := e.apiAnswer(t, view[0])["totals"].(map[string]any)["visitors"].(float64)
		who := ""
		for fxv, vid := range e.vids {
			if fxv != "" && vid != "" && !erasedInFixture(e.fx, fxv) && viewed(e.fx, fxv) {
				who = vid
				break
			}
		}
		if who == "" {
			t.Fatal("no consented visitor with visits in the view")
		}
		if st, b := privCall(t, e.Main, "POST", "/admin/api/privacy/erase", e.query, map[string]string{"site": "demo", "visitor": who}, nil); st != 200 {
			t.Fatalf("erase: %d %s", st, b)
		}
		// The answer right after the erasure is live and lacks the subject.
		after := e.apiAnswer(t, view[0])
		if after["as_of"] != nil {
			t.Fatalf("the archive answered after an erasure: %v", after["as_of"])
		}
		if v := after["totals"].(map[string]any)["visitors"].(float64); v != before-1 {
			t.Fatalf("visitors %v after erasing one visitor, want %v", v, before-1)
		}
		a.Refresh(ctx)
		check(t, true)
	})

	t.Run("too old", func(t *testing.T) {
		e.setClock(t, e.clock.clock()().Add(2*a.Every+time.Second))
		if got := e.apiAnswer(t, view[0]); got["as_of"] != nil {
			t.Fatalf("a view older than twice the period was served: %v", got["as_of"])
		}
	})
}

// apiAnswer asks q through GET /admin/api/stats/{report} (statsEnv.stats).
func (e *statsEnv) apiAnswer(t *testing.T, q stats.Question) map[string]any {
	t.Helper()
	params := []string{"site", q.Site, "from", q.From, "to", q.To, "metrics", strings.Join(q.Metrics, ",")}
	if q.By != "" {
		params = append(params, "by", q.By)
	}
	if q.Limit != 0 {
		params = append(params, "limit", strconv.Itoa(q.Limit))
	}
	for _, f := range q.Filters {
		params = append(params, "filter", f)
	}
	st, out := e.stats(t, q.Report, params...)
	if st != 200 {
		t.Fatalf("stats %s: %d %v", q.Report, st, out)
	}
	return out
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m any // the same key order for a map and a struct
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(m)
	return string(b)
}

func mustZone(t *testing.T, site string, e *statsEnv) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(e.Main.privacy.svc.Sites(site).TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func erasedInFixture(fx statstest.Fixture, visitor string) bool {
	for _, ev := range fx.Events {
		if ev.Visitor == visitor && ev.Erased {
			return true
		}
	}
	return false
}

// viewed reports whether visitor has a pageview that is not a bot's (the
// fixture's days are all in the view's 30).
func viewed(fx statstest.Fixture, visitor string) bool {
	for _, ev := range fx.Events {
		if ev.Visitor == visitor && !ev.Bot && ev.Type == "pageview" {
			return true
		}
	}
	return false
}
