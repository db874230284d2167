package consent

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector"
)

// testSite has the default purposes and capabilities (see config.DefaultPurposes).
func testSite() *collector.Site {
	return &collector.Site{
		ID: "demo", PolicyRevision: 2, AnonymousMode: collector.AnonymousAggregate,
		QueryAllowlist: []string{"lang"},
		Purposes: []collector.Purpose{
			{ID: "necessary", Required: true},
			{ID: "analytics", Capabilities: []string{"persistent_id", "full_url"}},
			{ID: "personalization", Capabilities: []string{"user_id_join", "interest_profile"}},
			{ID: "advertising", Capabilities: []string{"audience_export", "third_party", "click_ids"}},
		},
	}
}

func grant(purposes ...string) *collector.Grant {
	return &collector.Grant{ConsentID: "c1", Site: "demo", VisitorID: "server-vid", Purposes: purposes, Revision: 2,
		ExpiresAt: time.Now().Add(time.Hour)}
}

func fullEvent() collector.Event {
	return collector.Event{
		SiteID: "demo", URLQuery: "utm_source=x&email=a%40b.c&lang=ja&q=secret",
		VisitorID: "client-vid", SessionID: "s1", UserID: "u1",
		ClickIDType: "gclid", ClickID: "abc", VisitorHash: 9,
	}
}

func TestApply(t *testing.T) {
	for _, tc := range []struct {
		name                              string
		site                              func(*collector.Site)
		grant                             *collector.Grant
		gpc                               bool
		keep                              bool
		vid, sid, uid, click, query, cons string
		purposes                          []string
	}{
		{name: "anonymous", keep: true, query: "utm_source=x&lang=ja", purposes: []string{"necessary"}},
		{name: "anonymous drop mode", site: func(s *collector.Site) { s.AnonymousMode = collector.AnonymousDrop }, keep: false},
		{name: "analytics", grant: grant("necessary", "analytics"), keep: true, vid: "server-vid", sid: "s1",
			query: "utm_source=x&email=a%40b.c&lang=ja&q=secret", cons: "c1", purposes: []string{"necessary", "analytics"}},
		{name: "personalization without analytics", grant: grant("necessary", "personalization"), keep: true, uid: "u1",
			query: "utm_source=x&lang=ja", purposes: []string{"necessary", "personalization"}},
		{name: "advertising", grant: grant("necessary", "advertising"), keep: true, click: "abc",
			query: "utm_source=x&lang=ja", purposes: []string{"necessary", "advertising"}},
		{name: "advertising under GPC", grant: grant("necessary", "advertising"), gpc: true, keep: true,
			query: "utm_source=x&lang=ja", purposes: []string{"necessary"}},
		// A refusal's consent ID on every later hit would link them
		// across days: only a grant of a persistent ID carries it.
		{name: "refusal carries no consent ID", grant: grant("necessary"), keep: true,
			query: "utm_source=x&lang=ja", purposes: []string{"necessary"}},
		{name: "outdated revision is anonymous", grant: func() *collector.Grant { g := grant("analytics"); g.Revision = 1; return g }(),
			keep: true, query: "utm_source=x&lang=ja", purposes: []string{"necessary"}},
		{name: "other site's grant is anonymous", grant: func() *collector.Grant { g := grant("analytics"); g.Site = "other"; return g }(),
			keep: true, query: "utm_source=x&lang=ja", purposes: []string{"necessary"}},
		{name: "unknown purpose ignored", grant: grant("necessary", "mind_reading"), keep: true,
			query: "utm_source=x&lang=ja", purposes: []string{"necessary"}},
		{name: "expired grant is anonymous", grant: func() *collector.Grant { g := grant("analytics"); g.ExpiresAt = time.Now().Add(-time.Second); return g }(),
			keep: true, query: "utm_source=x&lang=ja", purposes: []string{"necessary"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			site := testSite()
			if tc.site != nil {
				tc.site(site)
			}
			ev := fullEvent()
			keep := Apply(&ev, (*Gate)(nil).Decide(site, tc.grant, tc.gpc, time.Now()))
			if keep != tc.keep {
				t.Fatalf("keep = %v, want %v", keep, tc.keep)
			}
			if !keep {
				return
			}
			for _, f := range []struct{ name, got, want string }{
				{"visitor_id", ev.VisitorID, tc.vid}, {"session_id", ev.SessionID, tc.sid},
				{"user_id", ev.UserID, tc.uid}, {"click_id", ev.ClickID, tc.click},
				{"url_query", ev.URLQuery, tc.query}, {"consent_id", ev.ConsentID, tc.cons},
			} {
				if f.got != f.want {
					t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
				}
			}
			if tc.click == "" && ev.ClickIDType != "" {
				t.Errorf("click_id_type kept without the capability")
			}
			if !slices.Equal(ev.Purposes, tc.purposes) {
				t.Errorf("purposes = %v, want %v", ev.Purposes, tc.purposes)
			}
		})
	}
}

func TestNewDecision(t *testing.T) {
	site := testSite()
	site.ConsentMaxAgeDays = 180
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		requested []string
		method    string
		gpc       bool
		prev      *collector.Grant
		granted   []string
		vid       string // "new", "" or a literal
	}{
		{"accept all", nil, MethodAcceptAll, false, nil, []string{"necessary", "analytics", "personalization", "advertising"}, "new"},
		{"accept all under GPC", nil, MethodAcceptAll, true, nil, []string{"necessary", "analytics", "personalization"}, "new"},
		{"reject all ignores ticks", []string{"analytics"}, MethodRejectAll, false, nil, []string{"necessary"}, ""},
		{"custom", []string{"personalization"}, MethodCustom, false, nil, []string{"necessary", "personalization"}, ""},
		{"custom keeps previous visitor", []string{"analytics"}, MethodCustom, false, grant("analytics"), []string{"necessary", "analytics"}, "server-vid"},
		{"withdraw", []string{"analytics"}, MethodWithdraw, false, grant("analytics"), []string{"necessary"}, "server-vid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, g := NewDecision(site, tc.requested, tc.method, tc.gpc, tc.prev, now)
			if !slices.Equal(d.Granted, tc.granted) || !slices.Equal(g.Purposes, tc.granted) {
				t.Fatalf("granted = %v / %v, want %v", d.Granted, g.Purposes, tc.granted)
			}
			if len(d.Granted)+len(d.Denied) != len(site.Purposes) {
				t.Fatalf("granted %v + denied %v do not cover the purposes", d.Granted, d.Denied)
			}
			switch tc.vid {
			case "new":
				if len(g.VisitorID) < 20 || d.VisitorID != g.VisitorID {
					t.Fatalf("want a new visitor ID, got %q (ledger %q)", g.VisitorID, d.VisitorID)
				}
			case "":
				if g.VisitorID != "" || d.VisitorID != "" {
					t.Fatalf("want no visitor ID, got %q", g.VisitorID)
				}
			default:
				if d.VisitorID != tc.vid {
					t.Fatalf("ledger subject = %q, want %q", d.VisitorID, tc.vid)
				}
			}
			if tc.method == MethodWithdraw && g.VisitorID != "" {
				t.Fatal("a withdrawal's token still carries a visitor ID")
			}
			if !d.ExpiresAt.Equal(now.AddDate(0, 0, 180)) || d.ConsentID == "" || d.ConsentID != g.ConsentID {
				t.Fatalf("expiry/consent ID wrong: %+v", d)
			}
		})
	}
}

func TestTruncateIP(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"203.0.113.7", "203.0.113.200"},
		{"2001:db8:1:2::1", "2001:db8:1:ffff::9"},
		{"::ffff:203.0.113.7", "203.0.113.9"},
	} {
		if string(TruncateIP(netip.MustParseAddr(tc.a))) != string(TruncateIP(netip.MustParseAddr(tc.b))) {
			t.Errorf("%s and %s should share a network", tc.a, tc.b)
		}
	}
	if string(TruncateIP(netip.MustParseAddr("203.0.113.7"))) == string(TruncateIP(netip.MustParseAddr("203.0.114.7"))) {
		t.Error("different /24s truncate alike")
	}
	if TruncateIP(netip.Addr{}) != nil {
		t.Error("the zero Addr truncates to something")
	}
}

func TestConsentIDsAreTimeOrdered(t *testing.T) {
	site := testSite()
	site.ConsentMaxAgeDays = 180
	prev := ""
	for range 50 {
		d, _ := NewDecision(site, nil, MethodAcceptAll, false, nil, time.Now())
		if d.ConsentID <= prev {
			t.Fatalf("consent ID %s is not after %s", d.ConsentID, prev)
		}
		prev = d.ConsentID
	}
}

func TestFilterQuery(t *testing.T) {
	site := &collector.Site{ID: "demo", QueryAllowlist: []string{"lang"}}
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"utm_source=x&lang=ja", "utm_source=x&lang=ja"}, // all kept: the same string
		{"utm_source=x&email=a%40b.c&lang=ja&q=secret", "utm_source=x&lang=ja"},
		{"email=a%40b.c&q=secret", ""},
		{"q=secret&utm_campaign=spring", "utm_campaign=spring"},
	} {
		if got := filterQuery(tc.in, site); got != tc.want {
			t.Errorf("filterQuery(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
