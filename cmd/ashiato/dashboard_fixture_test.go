package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/ashiato/ashiato/collector/admin"
	"github.com/ashiato/ashiato/collector/stats/statstest"
)

// TestDashboardFixture: on the stats fixture (loaded through the HTTP
// ingestion, as TestStatsFixture does), every breakdown question asked
// through the dashboard's cookie-authenticated route answers exactly
// what /admin/api/stats answers, byte for byte, and what the fixture's
// independent Go computation expects.
func TestDashboardFixture(t *testing.T) {
	e := loadFixture(t, statstest.Generate(19))
	resp, body := dashCall(t, e.Main, "POST", "/dashboard/login", "token="+url.QueryEscape(e.query), sameOrigin...)
	c := sessionCookie(resp)
	if resp.StatusCode != 200 || c == nil {
		t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	cookie := []string{"Cookie", admin.SessionCookie + "=" + c.Value}
	evs := statstest.Stored(e.fx)
	qs := statstest.Questions()
	for _, q := range qs {
		params := q.Params()
		var vals []string
		for i := 0; i+1 < len(params); i += 2 {
			vals = append(vals, params[i]+"="+url.QueryEscape(params[i+1]))
		}
		path := "/stats/" + q.Report + "?" + strings.Join(vals, "&")
		resp, got := dashCall(t, e.Main, "GET", "/dashboard/api"+path, "", cookie...)
		st, want := privCall(t, e.Main, "GET", "/admin/api"+path, e.query, nil, nil)
		if resp.StatusCode != st || got != string(want) {
			t.Errorf("%s: dashboard %d %s\nadmin API %d %s", path, resp.StatusCode, got, st, want)
			continue
		}
		var ans map[string]any
		if err := json.Unmarshal([]byte(got), &ans); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		sq, rows, totals := q.Expected(evs)
		res, _ := ans["results"].([]any)
		if sq.Dim == "" {
			res = []any{ans["totals"]}
			rows = []statstest.Row{totals}
			if len(totals) == 0 {
				rows = nil
			}
			for _, r := range rows {
				r["dim"] = "<nil>"
			}
		}
		statstest.CheckRows(t, fmt.Sprintf("dashboard %s", path), res, rows, sq.Dim, sq.Metrics, sq.Series)
	}
	t.Logf("%d questions through the dashboard", len(qs))
}
