package main

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
)

const interestsYAML = `
    interests:
      half_life_days: 30
      categories:
        - {name: sports, paths: ["/sports/*"]}
        - {name: travel, events: [book_trip], props: {section: travel}}
`

// TestInterestProfiles on the real ClickHouse: a visitor whose consent
// grants interest_profile gets scores per category (recent events weigh
// about 1 each); a visitor without it and anonymous traffic get none; a
// withdrawal removes the profile at the next read.
func TestInterestProfiles(t *testing.T) {
	e := newPrivEnv(t)
	yaml, _ := os.ReadFile(e.cfgFile)
	os.WriteFile(e.cfgFile, []byte(strings.Replace(string(yaml), "    audience_min_size: 1\n", "    audience_min_size: 1\n"+interestsYAML, 1)), 0o600)
	m := e.start(nil)
	fan := privDecide(t, m, "shop", "accept_all", nil, "")
	analyticsOnly := privDecide(t, m, "shop", "custom", []string{"analytics"}, "")
	for _, v := range []privVisitor{fan, analyticsOnly} {
		browserHit(t, m, v, "/sports/football")
		browserHit(t, m, v, "/sports/tennis")
		browserEvent(t, m, v, "book_trip", nil)
	}
	browserEvent(t, m, fan, "read", map[string]any{"section": "travel"})
	browserHit(t, m, privVisitor{site: "shop"}, "/sports/golf") // anonymous
	e.waitCount(7, "SELECT count() FROM DB.events WHERE site_id = 'shop' AND visitor_id != ''")

	read := func() []struct {
		VisitorID, Category string
		Score               float64
	} {
		t.Helper()
		out, err := e.cli("query", "interests", "--site", "shop", "--format", "json")
		if err != nil {
			t.Fatal(err)
		}
		var rows []struct {
			VisitorID string `json:"visitor_id"`
			Category  string
			Score     float64
		}
		if err := json.Unmarshal([]byte(out), &rows); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		res := make([]struct {
			VisitorID, Category string
			Score               float64
		}, len(rows))
		for i, r := range rows {
			res[i].VisitorID, res[i].Category, res[i].Score = r.VisitorID, r.Category, r.Score
		}
		return res
	}
	rows := read()
	got := map[string]float64{}
	for _, r := range rows {
		if r.VisitorID != fan.vid {
			t.Fatalf("a profile of %s, whose consent does not grant interest_profile (or anonymous): %+v", r.VisitorID, rows)
		}
		got[r.Category] = r.Score
	}
	if len(got) != 2 || math.Abs(got["sports"]-2) > 0.01 || math.Abs(got["travel"]-2) > 0.01 {
		t.Fatalf("scores %v, want sports ≈ 2 and travel ≈ 2 (an event and a prop)", got)
	}
	if out, err := e.cli("query", "interests", "--site", "shop", "--visitor", fan.vid, "--category", "sports"); err != nil || !strings.Contains(out, "sports") || strings.Contains(out, "travel") {
		t.Fatalf("one visitor, one category: %v\n%s", err, out)
	}

	var api struct {
		Scores []struct {
			VisitorID string `json:"visitor_id"`
		}
	}
	if st, body := privCall(t, m, "GET", "/admin/api/interests?site=shop&category=travel", e.token("export"), nil, &api); st != 200 || len(api.Scores) != 1 || api.Scores[0].VisitorID != fan.vid {
		t.Fatalf("admin API: %d %s", st, body)
	}
	if st, body := privCall(t, m, "GET", "/admin/api/interests?site=shop", e.token("query"), nil, nil); st != 403 {
		t.Fatalf("admin API with a query token: %d %s", st, body)
	}

	privDecide(t, m, "shop", "withdraw", nil, fan.token)
	waitLanded(t, m) // profiles are consent-checked against the ledger in ClickHouse
	if rows := read(); len(rows) != 0 {
		t.Fatalf("after withdrawal: %+v, want no profile", rows)
	}
}

// browserEvent sends a custom event as a browser would.
func browserEvent(t testing.TB, m *Main, v privVisitor, name string, props map[string]any) {
	t.Helper()
	ev := map[string]any{"site": v.site, "type": "event", "name": name, "url": "https://" + v.site + ".example/x", "consent": v.token, "vid": v.vid}
	if props != nil {
		ev["props"] = props
	}
	if st, b := privCall(t, m, "POST", "/api/event", "", ev, nil, "User-Agent",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"); st != 202 {
		t.Fatalf("event: %d %s", st, b)
	}
}
