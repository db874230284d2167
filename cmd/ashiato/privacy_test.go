package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/admin"
	"github.com/ashiato/ashiato/collector/store"
)

// TestIdentityJoin: identify without the user-ID-join consent is refused
// and stores nothing; with it the link exists (the user ID hashed, as the
// site says) and later events carry the user ID; withdrawal unlinks, later
// events carry none and the subject leaves audiences; the raw user ID is
// never logged.
func TestIdentityJoin(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(nil)
	const alice = "alice@example.com"

	t.Run("refused without consent", func(t *testing.T) {
		anon := privVisitor{site: "shop"}
		if st, b := anon.identify(t, m, alice, nil); st != 403 || !strings.Contains(string(b), `"consent_required"`) {
			t.Fatalf("identify without a token: %d %s, want 403 consent_required", st, b)
		}
		analytics := privDecide(t, m, "shop", "custom", []string{"analytics"}, "")
		if st, b := analytics.identify(t, m, alice, nil); st != 403 || !strings.Contains(string(b), `"consent_required"`) {
			t.Fatalf("identify with analytics only: %d %s, want 403 consent_required", st, b)
		}
		if n := e.count("SELECT count() FROM DB.identities"); n != 0 {
			t.Fatalf("identities has %d rows after refused identifies", n)
		}
	})

	a := privDecide(t, m, "shop", "accept_all", nil, "")
	uid := m.privacy.svc.Keys.StoredUserID(&m.Config.Sites[0], alice)
	t.Run("linked with consent", func(t *testing.T) {
		a.hit(t, m, "/before")
		e.waitCount(1, "SELECT count() FROM DB.events WHERE visitor_id = ? AND user_id = ''", a.vid)
		if st, b := a.identify(t, m, alice, map[string]any{"tier": "gold", "age_band": "30-39"}); st != 202 {
			t.Fatalf("identify: %d %s", st, b)
		}
		if !strings.HasPrefix(uid, "h1:") || uid == alice {
			t.Fatalf("stored user ID %q: want a keyed hash", uid)
		}
		if n := e.count("SELECT count() FROM DB.identities WHERE site_id = 'shop' AND visitor_id = ? AND user_id = ? AND consent_id = ? AND unlinked = 0 AND traits_values[indexOf(traits_keys, 'tier')] = 'gold'", a.vid, uid, a.consentID); n != 1 {
			t.Fatalf("identities rows for the link: %d, want 1", n)
		}
		a.hit(t, m, "/after")
		e.waitCount(1, "SELECT count() FROM DB.events WHERE visitor_id = ? AND url_path = '/after' AND user_id = ?", a.vid, uid)
		if n := e.count("SELECT count() FROM DB.events WHERE user_id = ?", alice); n != 0 {
			t.Fatalf("%d events carry the raw user ID", n)
		}
	})

	b := privDecide(t, m, "shop", "accept_all", nil, "")
	if st, body := b.identify(t, m, "bob", nil); st != 202 {
		t.Fatalf("identify bob: %d %s", st, body)
	}
	b.hit(t, m, "/bob")
	bob := m.privacy.svc.Keys.StoredUserID(&m.Config.Sites[0], "bob")
	e.waitCount(1, "SELECT count() FROM DB.events WHERE user_id = ?", bob)
	// Members whose consent does not allow the export are added too, as a
	// stale or careless import would: the export checks consent again.
	noAds := privDecide(t, m, "shop", "custom", []string{"analytics", "personalization"}, "")
	const unlinkedUser = "h1:nobody-links-this-user"
	if err := e.st.AddAudienceMembers(context.Background(), "shop", "gold",
		[][2]string{{a.vid, uid}, {b.vid, bob}, {"", bob}, {noAds.vid, ""}, {"", unlinkedUser}}, time.Now()); err != nil {
		t.Fatal(err)
	}

	t.Run("consent is checked again at export", func(t *testing.T) {
		got := members(t, m, e.token(admin.ScopeExport), "gold")
		want := []store.AudienceMember{{VisitorID: "", UserID: bob}, {VisitorID: a.vid, UserID: uid}, {VisitorID: b.vid, UserID: bob}}
		if len(got) != len(want) {
			t.Fatalf("members %+v, want %+v", got, want)
		}
		for _, w := range want {
			if !slices.ContainsFunc(got, func(g store.AudienceMember) bool { return g.VisitorID == w.VisitorID && g.UserID == w.UserID }) {
				t.Fatalf("members %+v lack %+v", got, w)
			}
		}
		// The export names people: a query-scope token cannot reach it as
		// a named query.
		if st, body := privCall(t, m, "GET", "/admin/api/query/audience_members?site=shop&audience=gold", e.token(admin.ScopeQuery), nil, nil); st != 404 || !strings.Contains(string(body), "not_found") {
			t.Fatalf("named query audience_members: %d %s, want 404", st, body)
		}
		if st, body := privCall(t, m, "GET", "/admin/api/audiences/gold/members?site=nowhere", e.token(admin.ScopeExport), nil, nil); st != 403 || !strings.Contains(string(body), "unknown_site") {
			t.Fatalf("members of an unknown site: %d %s, want 403 unknown_site", st, body)
		}
	})

	t.Run("export holds the subject and nobody else", func(t *testing.T) {
		tok := e.token(admin.ScopeExport)
		var doc map[string]json.RawMessage
		st, body := privCall(t, m, "GET", "/admin/api/privacy/export?site=shop&user="+alice, tok, nil, &doc)
		if st != 200 {
			t.Fatalf("export: %d %s", st, body)
		}
		var events []map[string]any
		json.Unmarshal(doc["events"], &events)
		if want := e.count("SELECT count() FROM DB.events WHERE visitor_id = ?", a.vid); uint64(len(events)) != want || want != 2 {
			t.Fatalf("export has %d events, the subject has %d (want 2)", len(events), want)
		}
		for _, k := range []string{"identities", "consent_log", "audience_members"} {
			var rows []map[string]any
			json.Unmarshal(doc[k], &rows)
			if len(rows) == 0 {
				t.Errorf("export: no %s rows", k)
			}
		}
		if strings.Contains(string(body), b.vid) || strings.Contains(string(body), bob) {
			t.Fatal("the export holds another subject's keys")
		}
		st, body = privCall(t, m, "GET", "/admin/api/privacy/export?site=shop&user="+alice+"&format=csv", tok, nil, nil)
		recs, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
		if st != 200 || err != nil || len(recs) != 3 || recs[0][0] != "event_id" {
			t.Fatalf("csv export: %d %v: %d records %q", st, err, len(recs), body)
		}
		// The CLI export is the same document, with a progress bar.
		out := filepath.Join(t.TempDir(), "alice.json")
		if _, err := e.cli("privacy", "export", "--site", "shop", "--user", alice, "--out", out); err != nil {
			t.Fatal(err)
		}
		file, _ := os.ReadFile(out)
		var cliDoc map[string]json.RawMessage
		if err := json.Unmarshal(file, &cliDoc); err != nil {
			t.Fatalf("cli export is not JSON: %v", err)
		}
		var cliEvents []map[string]any
		json.Unmarshal(cliDoc["events"], &cliEvents)
		if len(cliEvents) != 2 {
			t.Fatalf("cli export has %d events, want 2", len(cliEvents))
		}
	})

	t.Run("stop of use excludes from audiences until resume", func(t *testing.T) {
		priv, exp := e.token(admin.ScopePrivacy), e.token(admin.ScopeExport)
		if !hasUser(members(t, m, exp, "gold"), bob) {
			t.Fatal("bob not in the audience before the stop")
		}
		if st, body := privCall(t, m, "POST", "/admin/api/privacy/stop", priv, map[string]string{"site": "shop", "user": "bob"}, nil); st != 200 {
			t.Fatalf("stop: %d %s", st, body)
		}
		if got := members(t, m, exp, "gold"); hasUser(got, bob) || !hasUser(got, uid) {
			t.Fatalf("after stop, members %+v: want alice without bob", got)
		}
		if !m.privacy.svc.Stopped("shop", b.vid, "") || e.count("SELECT count() FROM DB.events WHERE user_id = ?", bob) == 0 {
			t.Fatal("stop of use: want the subject stopped and its data kept")
		}
		if st, body := privCall(t, m, "POST", "/admin/api/privacy/resume", priv, map[string]string{"site": "shop", "user": "bob"}, nil); st != 200 {
			t.Fatalf("resume: %d %s", st, body)
		}
		if !hasUser(members(t, m, exp, "gold"), bob) {
			t.Fatal("bob not back in the audience after resume")
		}
	})

	t.Run("withdrawal unlinks", func(t *testing.T) {
		privDecide(t, m, "shop", "withdraw", nil, a.token)
		// Out of the audience export at once, whether or not the deletion
		// has run yet.
		for _, mb := range members(t, m, e.token(admin.ScopeExport), "gold") {
			if mb.VisitorID == a.vid || mb.UserID == uid {
				t.Fatalf("the withdrawn subject is still exported: %+v", mb)
			}
		}
		if got := m.privacy.svc.UserID("shop", a.vid); got != "" {
			t.Fatalf("link still in memory: %q", got)
		}
		// Current links: none (the unlinked row wins at once, the
		// mutation then removes the link rows; the unlinked row stays
		// until then, so that no read sees the link again), once the
		// withdrawal has landed in the ledger.
		waitLanded(t, m)
		var cur []store.Identity
		cur, err := e.st.IdentitiesOfVisitor(context.Background(), "shop", a.vid)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range cur {
			if !id.Unlinked {
				t.Fatalf("identity still linked: %+v", id)
			}
		}
		if err := e.st.WaitMutations(context.Background(), "identities"); err != nil {
			t.Fatal(err)
		}
		if err := e.st.WaitMutations(context.Background(), "audience_members"); err != nil {
			t.Fatal(err)
		}
		if n := e.count("SELECT count() FROM DB.identities WHERE visitor_id = ? AND unlinked = 0", a.vid); n != 0 {
			t.Fatalf("link rows of the withdrawn visitor: %d", n)
		}
		if n := e.count("SELECT count() FROM DB.identities WHERE visitor_id = ? AND unlinked = 1 AND length(traits_keys) = 0", a.vid); n != 1 {
			t.Fatalf("unlinked rows (without traits) of the withdrawn visitor: %d, want 1", n)
		}
		// The retention job removes the unlinked row an hour on.
		ret := *m.privacy.retention
		ret.Now = func() time.Time { return time.Now().Add(time.Hour + time.Minute) }
		rep, err := ret.Run(context.Background())
		if err != nil || rep.Deleted["identities"] != 1 {
			t.Fatalf("retention an hour on: %+v, %v; want 1 unlinked row deleted", rep, err)
		}
		if n := e.count("SELECT count() FROM DB.identities WHERE visitor_id = ?", a.vid); n != 0 {
			t.Fatalf("identities rows of the withdrawn visitor after retention: %d", n)
		}
		if n := e.count("SELECT count() FROM DB.audience_members WHERE visitor_id = ? OR user_id = ?", a.vid, uid); n != 0 {
			t.Fatalf("audience rows of the withdrawn subject: %d", n)
		}
		if n := e.count("SELECT count() FROM DB.audience_members WHERE user_id = ?", bob); n != 2 {
			t.Fatalf("bob's audience rows: %d, want 2", n)
		}
		// Rows added after the deletion (an import that raced the
		// withdrawal) are kept but never exported.
		if err := e.st.AddAudienceMembers(context.Background(), "shop", "late", [][2]string{{a.vid, ""}, {"", uid}, {b.vid, ""}}, time.Now()); err != nil {
			t.Fatal(err)
		}
		if got := members(t, m, e.token(admin.ScopeExport), "late"); len(got) != 1 || got[0].VisitorID != b.vid {
			t.Fatalf("late members %+v, want bob's visitor only", got)
		}
		// The old token still verifies (it is the browser's until the
		// cookie is replaced), yet the withdrawal superseded it: later
		// events are anonymous and carry no user ID.
		a.hit(t, m, "/later")
		e.waitCount(1, "SELECT count() FROM DB.events WHERE visitor_id = '' AND url_path = '/later' AND user_id = ''")
		// Nor can the old token link again.
		if st, body := a.identify(t, m, alice, nil); st != 403 || !strings.Contains(string(body), "consent_required") {
			t.Fatalf("identify with the token the withdrawal replaced: %d %s, want 403", st, body)
		}
		if n := e.count("SELECT count() FROM DB.identities WHERE visitor_id = ?", a.vid); n != 0 {
			t.Fatalf("identities rows after a refused identify: %d", n)
		}
	})

	if logs := e.logs.String(); strings.Contains(logs, alice) || strings.Contains(logs, "bob\"") {
		t.Fatal("a raw user ID appears in the logs")
	}
}

// TestErasure: after an erasure through the admin API no table holds a
// row of the subject, including events that were in the spool at that
// moment (they are dropped when the spool drains, after a restart) and
// events that arrive later; the ledger keeps the proof with the subject's
// keys pseudonymised; a receipt and audit rows are written.
func TestErasure(t *testing.T) {
	e := newPrivEnv(t)
	const erin = "erin-42"
	// The writer inserts one batch and then sleeps for an hour, so that
	// whatever is sent after the first row stays in the spool.
	m := e.start(func(m *Main) { m.Config.Writer.Interval, m.Config.Writer.MinInterval = time.Hour, time.Hour })
	v := privDecide(t, m, "shop", "accept_all", nil, "")
	other := privDecide(t, m, "shop", "accept_all", nil, "")
	if st, b := v.identify(t, m, erin, map[string]any{"tier": "silver"}); st != 202 {
		t.Fatalf("identify: %d %s", st, b)
	}
	uid := m.privacy.svc.Keys.StoredUserID(&m.Config.Sites[0], erin)
	v.hit(t, m, "/stored")
	e.waitCount(1, "SELECT count() FROM DB.events WHERE user_id = ?", uid)
	if err := e.st.AddAudienceMembers(context.Background(), "shop", "silver", [][2]string{{v.vid, uid}, {other.vid, ""}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	v.hit(t, m, "/spooled-1")
	v.hit(t, m, "/spooled-2")
	other.hit(t, m, "/other-spooled")
	if n := m.spool.Stats().Records; n < 3 {
		t.Fatalf("spool holds %d records, want the 3 just sent", n)
	}

	tok := e.token(admin.ScopePrivacy)
	var rec store.Receipt
	st, body := privCall(t, m, "POST", "/admin/api/privacy/erase", tok, map[string]string{"site": "shop", "user": erin}, &rec)
	if st != 200 || !rec.Verified || rec.Rows["events"] != 1 || rec.Rows["identities"] == 0 || rec.Rows["consent_log"] == 0 || rec.Rows["audience_members"] != 1 {
		t.Fatalf("erase: %d %s", st, body)
	}
	if strings.Contains(string(body), erin) || strings.Contains(string(body), uid) {
		t.Fatal("the receipt names the subject")
	}
	// Close with records still in the spool; the next start drains them.
	m.Close()
	m = e.start(nil)
	e.waitCount(1, "SELECT count() FROM DB.events WHERE visitor_id = ? AND url_path = '/other-spooled'", other.vid)

	// Events arriving later are dropped too (or, as the erased visitor's
	// token no longer counts, kept anonymous); a new identify is refused.
	v.hit(t, m, "/later")
	other.hit(t, m, "/other-later")
	e.waitCount(1, "SELECT count() FROM DB.events WHERE visitor_id = ? AND url_path = '/other-later'", other.vid)
	if st, b := v.identify(t, m, erin, nil); st != 403 {
		t.Fatalf("identify after erasure: %d %s, want 403", st, b)
	}

	checks := map[string]string{
		"events":           "SELECT count() FROM DB.events WHERE visitor_id = ? OR user_id = ?",
		"identities":       "SELECT count() FROM DB.identities WHERE visitor_id = ? OR user_id = ?",
		"consent_log":      "SELECT count() FROM DB.consent_log WHERE visitor_id = ? OR user_id = ?",
		"audience_members": "SELECT count() FROM DB.audience_members WHERE visitor_id = ? OR user_id = ?",
		"privacy_subjects": "SELECT count() FROM DB.privacy_subjects WHERE subject = ? OR subject = ?",
		"audit_log":        "SELECT count() FROM DB.audit_log WHERE position(detail, ?) > 0 OR position(subject, ?) > 0",
		"erasure_receipts": "SELECT count() FROM DB.erasure_receipts WHERE key_hash = ? OR key_hash = ?",
		"event_subjects":   "SELECT count() FROM DB.event_subjects WHERE subject = ? OR subject = ?",
		"consent_subjects": "SELECT count() FROM DB.consent_subjects WHERE subject = ? OR subject = ?",
	}
	for table, q := range checks {
		if n := e.count(q, v.vid, uid); n != 0 {
			t.Errorf("%s: %d rows name the erased subject", table, n)
		}
		if table != "audit_log" && table != "erasure_receipts" && table != "privacy_subjects" {
			if n := e.count(q, erin, erin); n != 0 {
				t.Errorf("%s: %d rows hold the raw user ID", table, n)
			}
		}
	}
	if n := e.count("SELECT count() FROM DB.events WHERE visitor_id = ?", other.vid); n != 2 {
		t.Errorf("the other visitor has %d events, want 2 (erasure must not touch them)", n)
	}
	if n := e.count("SELECT count() FROM DB.audience_members WHERE visitor_id = ?", other.vid); n != 1 {
		t.Errorf("the other visitor's audience row: %d, want 1", n)
	}
	// The proof of consent stays, pseudonymised.
	if n := e.count("SELECT count() FROM DB.consent_log WHERE consent_id = ? AND visitor_id LIKE 'erased:%'", v.consentID); n != 1 {
		t.Errorf("pseudonymised ledger rows of the consent: %d, want 1", n)
	}
	if n := e.count("SELECT count() FROM DB.erasure_receipts WHERE request_id = ? AND verified = 1", rec.RequestID); n != 1 {
		t.Errorf("receipt rows: %d, want 1", n)
	}
	e.waitCount(1, "SELECT count() FROM DB.audit_log WHERE action = 'privacy.erase' AND status = 200 AND actor LIKE 'token:%' AND subject = ?", rec.KeyHash)
	// A new decision from the erased visitor's browser starts a new subject:
	// the erased visitor ID is never issued again (its data would be dropped).
	if again := privDecide(t, m, "shop", "accept_all", nil, v.token); again.vid == "" || again.vid == v.vid {
		t.Errorf("decision after erasure reissued visitor ID %q", again.vid)
	}
}

// TestSelfService: a visitor, authenticated by their consent token, sees
// their consent history, downloads their data and erases it; without a
// token of the site nothing is shown.
func TestSelfService(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(nil)
	v := privDecide(t, m, "shop", "custom", []string{"analytics"}, "")
	v = privDecide(t, m, "shop", "accept_all", nil, v.token) // same visitor, changed mind
	other := privDecide(t, m, "shop", "accept_all", nil, "")
	v.hit(t, m, "/mine")
	other.hit(t, m, "/theirs")
	e.waitCount(2, "SELECT count() FROM DB.events WHERE visitor_id IN (?, ?)", v.vid, other.vid)

	if st, b := privCall(t, m, "GET", "/api/privacy/me?site=shop", "", nil, nil); st != 401 {
		t.Fatalf("summary without a token: %d %s", st, b)
	}
	blog := privDecide(t, m, "blog", "accept_all", nil, "")
	if st, b := privCall(t, m, "GET", "/api/privacy/me?site=shop", blog.token, nil, nil); st != 401 {
		t.Fatalf("summary with another site's token: %d %s", st, b)
	}
	var sum struct {
		VisitorID string           `json:"visitor_id"`
		Consent   []map[string]any `json:"consent_history"`
		Events    int              `json:"events"`
	}
	if st, b := privCall(t, m, "GET", "/api/privacy/me?site=shop", "", nil, &sum, "Cookie", "ashiato_consent="+v.token, "Origin", "https://shop.example"); st != 200 || sum.VisitorID != v.vid || len(sum.Consent) != 2 || sum.Events != 1 {
		t.Fatalf("summary: %d %s", st, b)
	}
	st, body := privCall(t, m, "GET", "/api/privacy/me/export?site=shop", v.token, nil, nil)
	if st != 200 || !strings.Contains(string(body), "/mine") || strings.Contains(string(body), other.vid) {
		t.Fatalf("export: %d %s", st, body)
	}
	var res struct {
		RequestID string `json:"request_id"`
	}
	if st, b := privCall(t, m, "POST", "/api/privacy/me/erase", "", map[string]string{"site": "shop", "consent": v.token}, &res); st != 202 || res.RequestID == "" {
		t.Fatalf("erase: %d %s", st, b)
	}
	e.waitCount(1, "SELECT count() FROM DB.erasure_receipts WHERE request_id = ? AND verified = 1 AND requested_by = 'visitor'", res.RequestID)
	if n := e.count("SELECT count() FROM DB.events WHERE visitor_id = ?", v.vid); n != 0 {
		t.Fatalf("%d events of the visitor after self-service erasure", n)
	}
	if n := e.count("SELECT count() FROM DB.events WHERE visitor_id = ?", other.vid); n != 1 {
		t.Fatalf("the other visitor's events: %d, want 1", n)
	}
	if st, b := privCall(t, m, "GET", "/api/privacy/me?site=shop", v.token, nil, &sum); st != 200 || len(sum.Consent) != 0 || sum.Events != 0 {
		t.Fatalf("summary after erasure: %d %s", st, b)
	}
}

// hasUser reports whether ms holds a row of user ID id.
// TestDecisionsLeaveAudiences: a later decision takes the visitor's rows
// out of the audience tables in ClickHouse, not only out of the exports:
// a withdrawal of a visitor who never identified (no links to remove),
// and a narrower choice that keeps the user-ID join but drops
// advertising (the links stay, the audience rows of the visitor and its
// user go). A visitor who keeps advertising keeps its rows.
func TestDecisionsLeaveAudiences(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(nil)
	anon := privDecide(t, m, "shop", "accept_all", nil, "")
	linked := privDecide(t, m, "shop", "accept_all", nil, "")
	if st, body := linked.identify(t, m, "dave", nil); st != 202 {
		t.Fatalf("identify dave: %d %s", st, body)
	}
	dave := m.privacy.svc.Keys.StoredUserID(&m.Config.Sites[0], "dave")
	kept := privDecide(t, m, "shop", "accept_all", nil, "")
	waitLanded(t, m)
	e.waitCount(1, "SELECT count() FROM DB.identities WHERE visitor_id = ? AND user_id = ? AND unlinked = 0", linked.vid, dave)
	if err := e.st.AddAudienceMembers(context.Background(), "shop", "gold",
		[][2]string{{anon.vid, ""}, {linked.vid, dave}, {"", dave}, {kept.vid, ""}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	rows := func(q string, args ...any) uint64 {
		t.Helper()
		if err := e.st.WaitMutations(context.Background(), "audience_members"); err != nil {
			t.Fatal(err)
		}
		return e.count(q, args...)
	}
	if n := rows("SELECT count() FROM DB.audience_members"); n != 4 {
		t.Fatalf("audience rows before the decisions: %d, want 4", n)
	}

	privDecide(t, m, "shop", "withdraw", nil, anon.token)
	narrower := privDecide(t, m, "shop", "custom", []string{"analytics", "personalization"}, linked.token)
	waitLanded(t, m)
	if n := rows("SELECT count() FROM DB.audience_members WHERE visitor_id = ?", anon.vid); n != 0 {
		t.Errorf("audience rows of the withdrawn visitor who never identified: %d, want 0", n)
	}
	if n := rows("SELECT count() FROM DB.audience_members WHERE visitor_id IN (?, ?) OR user_id = ?", linked.vid, narrower.vid, dave); n != 0 {
		t.Errorf("audience rows of the visitor who dropped advertising, and of its user: %d, want 0", n)
	}
	if n := rows("SELECT count() FROM DB.audience_members WHERE visitor_id = ?", kept.vid); n != 1 {
		t.Errorf("audience rows of the visitor who kept advertising: %d, want 1", n)
	}
	if err := e.st.WaitMutations(context.Background(), "identities"); err != nil {
		t.Fatal(err)
	}
	if n := e.count("SELECT count() FROM DB.identities WHERE user_id = ? AND unlinked = 0", dave); n != 1 {
		t.Errorf("dave's link after a choice that keeps the user-ID join: %d rows, want 1", n)
	}
}

func hasUser(ms []store.AudienceMember, id string) bool {
	return slices.ContainsFunc(ms, func(m store.AudienceMember) bool { return m.UserID == id })
}

// members returns the exportable members of an audience of shop.
func members(t *testing.T, m *Main, token, audience string) []store.AudienceMember {
	t.Helper()
	var res struct {
		Members []store.AudienceMember `json:"members"`
	}
	if st, body := privCall(t, m, "GET", "/admin/api/audiences/"+audience+"/members?site=shop", token, nil, &res); st != 200 {
		t.Fatalf("members: %d %s", st, body)
	}
	return res.Members
}
