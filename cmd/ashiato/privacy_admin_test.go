package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/admin"
	"github.com/ashiato/ashiato/collector/consent"
	"github.com/ashiato/ashiato/collector/privacy"
)

// TestAdminRoutesRequireToken enumerates every route registered under the
// admin prefix and proves that each refuses a request without a token, with
// an unknown or revoked token, and with a token that lacks its scope; the
// refusals are audited.
func TestAdminRoutesRequireToken(t *testing.T) {
	e := newPrivEnv(t)
	// This test fails authentication on purpose, far more than the
	// per-address limit allows (TestAdminAuthLimit checks that one).
	m := e.start(func(m *Main) { m.Config.Server.AdminAuthFailures = 10000 })
	scopes := map[string]string{}
	for _, r := range (&admin.API{}).Routes() {
		scopes[r.Method+" "+admin.Prefix+r.Path] = r.Scope
	}
	revoked := e.token(admin.ScopeAdmin)
	tokens := &admin.Tokens{Store: e.st}
	id := strings.SplitN(strings.TrimPrefix(revoked, "ash_"), "_", 2)[0]
	if err := tokens.Revoke(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	allBut := func(scope string) string {
		var s []string
		for _, sc := range admin.Scopes {
			if sc != scope && sc != admin.ScopeAdmin {
				s = append(s, sc)
			}
		}
		return e.token(s...)
	}
	n := 0
	for _, r := range m.app.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/admin") {
			continue
		}
		method := r.Method
		if method == http.MethodHead {
			method = http.MethodGet
		}
		scope, ok := scopes[method+" "+r.Path]
		if !ok {
			t.Errorf("%s %s is registered but not in the guarded route table", r.Method, r.Path)
			continue
		}
		n++
		path := strings.NewReplacer(":name", "pageviews_by_day", ":audience", "gold", ":id", "x").Replace(r.Path)
		wrong := allBut(scope)
		for _, c := range []struct {
			name, token string
			want        int
		}{
			{"no token", "", 401},
			{"unknown token", "ash_0123456789ab_notarealtoken", 401},
			{"revoked token", revoked, 401},
			{"wrong scope", wrong, 403},
		} {
			if st, b := privCall(t, m, r.Method, path, c.token, nil, nil); st != c.want {
				t.Errorf("%s %s with %s: %d %s, want %d", r.Method, path, c.name, st, b, c.want)
			}
		}
	}
	if n < len(scopes) {
		t.Fatalf("found %d admin routes on the app, want at least %d", n, len(scopes))
	}
	// Audit rows are written in batches (admin.Auditor): wait for them.
	e.waitCount(uint64(3*n), "SELECT count() FROM DB.audit_log WHERE status = 401 AND actor = 'anonymous'")
	e.waitCount(uint64(n), "SELECT count() FROM DB.audit_log WHERE status = 403 AND actor LIKE 'token:%'")
	// The right scope passes.
	q := e.token(admin.ScopeQuery)
	if st, b := privCall(t, m, "GET", "/admin/api/query/pageviews_by_day?site=shop&from=2020-01-01&to=2030-01-01&tz=UTC", q, nil, nil); st != 200 {
		t.Fatalf("query with the query scope: %d %s", st, b)
	}
	e.waitCount(1, "SELECT count() FROM DB.audit_log WHERE action = 'query' AND status = 200 AND site_id = 'shop' AND detail = 'pageviews_by_day'")
}

// TestTokenCLI creates, lists and revokes a token with the CLI; only its
// hash is stored, and a revoked token is refused.
func TestTokenCLI(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(nil)
	out, err := e.cli("token", "create", "--scope", "query,export", "--name", "dash")
	if err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimSpace(out)
	if !strings.HasPrefix(tok, "ash_") {
		t.Fatalf("token create printed %q", out)
	}
	if st, b := privCall(t, m, "GET", "/admin/api/stats/daily?site=shop", tok, nil, nil); st != 200 {
		t.Fatalf("daily stats with a new token: %d %s", st, b)
	}
	if n := e.count("SELECT count() FROM DB.api_tokens WHERE position(hash, ?) > 0 OR position(name, ?) > 0", tok, tok); n != 0 {
		t.Fatal("the token itself is stored")
	}
	if n := e.count("SELECT count() FROM DB.api_tokens WHERE hash = ?", admin.HashToken(tok)); n != 1 {
		t.Fatal("the token's hash is not stored")
	}
	list, err := e.cli("token", "list")
	id := strings.SplitN(strings.TrimPrefix(tok, "ash_"), "_", 2)[0]
	if err != nil || !strings.Contains(list, id) || !strings.Contains(list, "query,export") {
		t.Fatalf("token list: %v\n%s", err, list)
	}
	if _, err := e.cli("token", "revoke", id); err != nil {
		t.Fatal(err)
	}
	if st, b := privCall(t, m, "GET", "/admin/api/stats/daily?site=shop", tok, nil, nil); st != 401 {
		t.Fatalf("revoked token: %d %s, want 401", st, b)
	}
	if n := e.count("SELECT count() FROM DB.audit_log WHERE method = 'CLI' AND action IN ('tokens.create', 'tokens.list', 'tokens.revoke')"); n != 3 {
		t.Errorf("audit rows of the CLI: %d, want 3", n)
	}
}

// TestRetention: the job keeps daily aggregates, drops month partitions
// that every site's limit has passed, deletes the rest of what is too old
// by mutation, and keeps recent data.
func TestRetention(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(nil)
	ctx := context.Background()
	now := time.Now().UTC()
	day := func(ago int) time.Time {
		d := now.AddDate(0, 0, -ago)
		return time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, time.UTC)
	}
	var evs []collector.Event
	add := func(site string, ago, n int) {
		for range n {
			evs = append(evs, collector.Event{EventID: uuid.New(), SiteID: site, TS: day(ago), ReceivedAt: day(ago),
				Type: "pageview", URLHost: site + ".example", URLPath: "/", VisitorID: uuid.NewString()})
		}
	}
	add("shop", 900, 1)
	add("shop", 400, 2)
	add("shop", 45, 1)
	add("shop", 0, 1)
	add("blog", 900, 1)
	add("blog", 400, 1)
	add("blog", 0, 1)
	if err := e.st.InsertEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	for _, ago := range []int{900, 90, 0} {
		d := consent.Decision{ConsentID: uuid.NewString(), SiteID: "shop", TS: day(ago), VisitorID: "v", Granted: []string{"necessary"},
			Revision: 1, Method: "reject_all", ExpiresAt: day(ago).AddDate(0, 6, 0)}
		if err := e.st.RecordDecision(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	oldMonth := day(900).Format("200601")

	// The admin API reads bodies through the same limit as the ingest endpoints.
	if st, b := privCall(t, m, "POST", "/admin/api/tokens", e.token(admin.ScopeAdmin), map[string]any{"name": strings.Repeat("x", 70<<10)}, nil); st != 413 || !strings.Contains(string(b), `"too_large"`) {
		t.Fatalf("a 70 KiB token request: %d %s, want 413 too_large", st, b)
	}

	var rep privacy.RetentionReport
	if st, b := privCall(t, m, "POST", "/admin/api/retention/run", e.token(admin.ScopeAdmin), nil, &rep); st != 200 {
		t.Fatalf("retention run: %d %s", st, b)
	}
	if !strings.Contains(strings.Join(rep.Dropped["events"], ","), oldMonth) || !strings.Contains(strings.Join(rep.Dropped["consent_log"], ","), oldMonth) {
		t.Fatalf("dropped partitions %v, want %s of events and consent_log", rep.Dropped, oldMonth)
	}
	parts, err := e.st.Partitions(ctx, "events")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		if p == oldMonth {
			t.Fatalf("partition %s of events still there", p)
		}
	}
	left := func(site string, ago int) uint64 {
		return e.count("SELECT count() FROM DB.events WHERE site_id = ? AND toDate(ts) = toDate(?)", site, day(ago).Format(time.DateOnly))
	}
	for _, c := range []struct {
		site string
		ago  int
		want uint64
	}{
		{"shop", 900, 0}, {"shop", 400, 0}, {"shop", 45, 0}, {"shop", 0, 1},
		{"blog", 900, 0}, {"blog", 400, 1}, {"blog", 0, 1},
	} {
		if got := left(c.site, c.ago); got != c.want {
			t.Errorf("%s events %d days ago: %d, want %d", c.site, c.ago, got, c.want)
		}
	}
	// The index of events goes with them.
	if n, want := e.count("SELECT count() FROM DB.event_subjects"), e.count("SELECT count() FROM DB.events"); n != want {
		t.Errorf("event_subjects rows after retention: %d, want %d (one per event left)", n, want)
	}
	if n, want := e.count("SELECT count() FROM DB.consent_subjects"), e.count("SELECT count() FROM DB.consent_log WHERE visitor_id != ''"); n != want {
		t.Errorf("consent_subjects rows after retention: %d, want %d (one per ledger row left)", n, want)
	}
	if n := e.count("SELECT count() FROM DB.consent_log"); n != 1 {
		t.Errorf("consent_log rows: %d, want only today's", n)
	}
	stats, err := e.st.DailyStats(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]uint64{day(900).Format(time.DateOnly): 1, day(400).Format(time.DateOnly): 2, day(45).Format(time.DateOnly): 1}
	if len(stats) != len(want) {
		t.Fatalf("shop daily_stats: %+v, want days %v", stats, want)
	}
	for _, s := range stats {
		if want[s.Day.Format(time.DateOnly)] != s.Pageviews || s.Visitors != s.Pageviews {
			t.Errorf("daily_stats %s: %d pageviews %d visitors, want %d", s.Day.Format(time.DateOnly), s.Pageviews, s.Visitors, want[s.Day.Format(time.DateOnly)])
		}
	}
	if n := e.count("SELECT count() FROM DB.daily_stats WHERE site_id = 'blog'"); n != 1 {
		t.Errorf("blog daily_stats rows: %d, want 1 (the day past 800 days)", n)
	}
	// A second run finds nothing more to do and keeps the aggregates.
	var rep2 privacy.RetentionReport
	if st, b := privCall(t, m, "POST", "/admin/api/retention/run", e.token(admin.ScopeAdmin), nil, &rep2); st != 200 || len(rep2.Dropped) != 0 || rep2.Deleted["events"] != 0 {
		t.Fatalf("second run: %d %s", st, b)
	}
	if n := e.count("SELECT count() FROM DB.daily_stats WHERE site_id = 'shop'"); n != 3 {
		t.Errorf("shop daily_stats rows after a second run: %d, want 3", n)
	}
	e.waitCount(2, "SELECT count() FROM DB.audit_log WHERE action = 'retention.run' AND status = 200")
}
