package main

import (
	"strings"
	"testing"
	"time"
)

// TestStatsExportK on the real ClickHouse: 12 visitors read /popular, 3
// read /rare and 2 /rarer; with k = 10 the export shows /popular, suppresses
// both small pages (together 5 people: fewer than k, so /popular goes too)
// and the total stays visible only when what it reveals is safe.
func TestStatsExportK(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(nil)
	for i := 0; i < 17; i++ {
		v := privDecide(t, m, "shop", "accept_all", nil, "")
		switch {
		case i < 12:
			browserHit(t, m, v, "/popular")
		case i < 15:
			browserHit(t, m, v, "/rare")
		default:
			browserHit(t, m, v, "/rarer")
		}
	}
	e.waitCount(17, "SELECT count() FROM DB.events WHERE site_id = 'shop' AND visitor_id != ''")
	day := time.Now().UTC()
	from, to := day.Format(time.DateOnly), day.AddDate(0, 0, 1).Format(time.DateOnly)
	export := func(k string) string {
		t.Helper()
		out, err := e.cli("stats", "export", "pages", "--site", "shop", "--from", from, "--to", to, "--k", k)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	out := export("2")
	if !strings.Contains(out, "/popular,12,12\n") || !strings.Contains(out, "/rare,3,3\n") || !strings.Contains(out, "/rarer,2,2\n") || !strings.Contains(out, "(total),17,\n") {
		t.Fatalf("k=2:\n%s", out)
	}
	out = export("10")
	t.Logf("\n%s", out)
	if !strings.Contains(out, "# k-anonymity, k = 10: cells of fewer than 10 people are suppressed") ||
		!strings.Contains(out, "/rare,suppressed,suppressed\n") || !strings.Contains(out, "/rarer,suppressed,suppressed\n") ||
		!strings.Contains(out, "/popular,suppressed,suppressed\n") || !strings.Contains(out, "(total),17,\n") {
		t.Fatalf("k=10: want every page suppressed (the small ones hold 5 people together) and the total:\n%s", out)
	}
	if st, body := privCall(t, m, "GET", "/admin/api/partner-stats/pages?site=shop&from="+from+"&to="+to+"&k=10", e.token("query"), nil, nil); st != 200 || string(body) != out {
		t.Fatalf("admin API: %d\n%s\nwant the CLI's\n%s", st, body, out)
	}
	out = export("3")
	if !strings.Contains(out, "/popular,12,12\n") || !strings.Contains(out, "/rare,suppressed") || !strings.Contains(out, "/rarer,suppressed") {
		t.Fatalf("k=3: /rarer is below k and /rare goes with it:\n%s", out)
	}
	if _, err := e.cli("stats", "export", "people", "--site", "shop", "--from", from, "--to", to); err == nil || !strings.Contains(err.Error(), "want one of") {
		t.Fatalf("unknown report: %v", err)
	}
}
