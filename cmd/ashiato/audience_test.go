package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/admin"
)

// TestAudienceMinSize: an audience export with fewer people than the site's
// audience_min_size, counted after consent is checked again, is refused
// with 403 audience_too_small and names nobody; at the minimum it is given.
func TestAudienceMinSize(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(func(m *Main) { m.Config.Sites[0].AudienceMinSize = 3 })
	v1 := privDecide(t, m, "shop", "accept_all", nil, "")
	v2 := privDecide(t, m, "shop", "accept_all", nil, "")
	v3 := privDecide(t, m, "shop", "accept_all", nil, "")
	noAds := privDecide(t, m, "shop", "custom", []string{"analytics"}, "")
	add := func(vids ...string) {
		t.Helper()
		rows := make([][2]string, len(vids))
		for i, v := range vids {
			rows[i] = [2]string{v, ""}
		}
		if err := e.st.AddAudienceMembers(context.Background(), "shop", "spring", rows, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	tok := e.token(admin.ScopeExport)
	const path = "/admin/api/audiences/spring/members?site=shop"

	// Three rows, but one visitor's consent does not allow the export: two
	// people may leave, fewer than three.
	add(v1.vid, v2.vid, noAds.vid, v1.vid)
	st, body := privCall(t, m, "GET", path, tok, nil, nil)
	if st != 403 || !strings.Contains(string(body), `"error":"audience_too_small"`) {
		t.Fatalf("export of 2 people with a minimum of 3: %d %s, want 403 audience_too_small", st, body)
	}
	for _, v := range []string{v1.vid, v2.vid, noAds.vid} {
		if strings.Contains(string(body), v) {
			t.Fatalf("the refusal names a member: %s", body)
		}
	}

	add(v3.vid)
	waitLanded(t, m) // the export checks consent in the ledger: v3's decision must be there
	var res struct {
		Members []struct {
			VisitorID string `json:"visitor_id"`
		} `json:"members"`
	}
	if st, body := privCall(t, m, "GET", path, tok, nil, &res); st != 200 {
		t.Fatalf("export of 3 people with a minimum of 3: %d %s", st, body)
	}
	got := map[string]bool{}
	for _, r := range res.Members {
		got[r.VisitorID] = true
	}
	if len(res.Members) != 3 || len(got) != 3 || !got[v1.vid] || !got[v2.vid] || !got[v3.vid] {
		t.Fatalf("members %+v, want the three consenting visitors, each once", res.Members)
	}
}
