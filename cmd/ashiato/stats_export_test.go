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

// TestStatsExportCross on the real ClickHouse: pages by sources, k = 3,
// people per cell (search, direct): /a (4, 4), /b (1, 4), /c (3, 3). The
// one small cell, /b from search, needs a second suppressed cell in its
// row (/b direct) and in its column (/c search), and /b direct then needs
// one in its column (/c direct): the four cells of /b and /c are hidden,
// no row or column shows a single suppressed cell next to its total, and
// every total stays published. The admin API gives the same file.
func TestStatsExportCross(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(nil)
	for _, c := range []struct {
		path, referrer string
		people         int
	}{{"/a", "https://www.google.com/", 4}, {"/a", "", 4}, {"/b", "https://www.google.com/", 1}, {"/b", "", 4}, {"/c", "https://www.google.com/", 3}, {"/c", "", 3}} {
		for i := 0; i < c.people; i++ {
			browserHitFrom(t, m, privDecide(t, m, "shop", "accept_all", nil, ""), c.path, c.referrer)
		}
	}
	e.waitCount(19, "SELECT count() FROM DB.events WHERE site_id = 'shop' AND visitor_id != ''")
	day := time.Now().UTC()
	from, to := day.Format(time.DateOnly), day.AddDate(0, 0, 1).Format(time.DateOnly)
	out, err := e.cli("stats", "export", "pages", "--by", "sources", "--site", "shop", "--from", from, "--to", to, "--k", "3")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out)
	want := "url_path,referrer_source,pageviews,people\n" +
		"/a,direct,4,4\n/a,search,4,4\n/a,(total),8,\n" +
		"/c,direct,suppressed,suppressed\n/c,search,suppressed,suppressed\n/c,(total),6,\n" +
		"/b,direct,suppressed,suppressed\n/b,search,suppressed,suppressed\n/b,(total),5,\n" +
		"(total),direct,11,\n(total),search,8,\n(total),(total),19,\n"
	if !strings.Contains(out, "# k-anonymity, k = 3: cells of fewer than 3 people are suppressed;") || !strings.HasSuffix(out, want) {
		t.Fatalf("cross table:\n%s\nwant it to end with\n%s", out, want)
	}
	if st, body := privCall(t, m, "GET", "/admin/api/partner-stats/pages?site=shop&by=sources&from="+from+"&to="+to+"&k=3", e.token("query"), nil, nil); st != 200 || string(body) != out {
		t.Fatalf("admin API: %d\n%s\nwant the CLI's\n%s", st, body, out)
	}
	if _, err := e.cli("stats", "export", "pages", "--by", "pages", "--site", "shop", "--from", from, "--to", to); err == nil || !strings.Contains(err.Error(), "other than pages") {
		t.Fatalf("--by the same report: %v", err)
	}
}
