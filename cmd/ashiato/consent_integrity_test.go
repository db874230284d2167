package main

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/admin"
	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/consent"
)

// consentStatus answers GET /api/consent for a token in the cookie.
func consentStatus(t testing.TB, m *Main, token string) int {
	t.Helper()
	st, _ := privCall(t, m, "GET", "/api/consent?site=shop", "", nil, nil, "Cookie", "ashiato_consent="+token)
	return st
}

// selfService answers GET /api/privacy/me for a token in the cookie.
func selfService(t testing.TB, m *Main, token string) (int, []byte) {
	t.Helper()
	return privCall(t, m, "GET", "/api/privacy/me?site=shop", "", nil, nil, "Cookie", "ashiato_consent="+token)
}

// verify reads a token back with the collector's secret.
func verify(t testing.TB, m *Main, token string) *collector.Grant {
	t.Helper()
	g, err := testSigner(t, m).Verify(token, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func testSigner(t testing.TB, m *Main) *consent.Signer {
	t.Helper()
	secret, err := config.LoadSecret(m.Config.SecretFile)
	if err != nil {
		t.Fatal(err)
	}
	s, err := consent.NewSigner(secret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestWithdrawalRevokes: a token that a later decision of its visitor
// replaced (a withdrawal here) counts as no grant on /api/event (the hit
// is anonymous), GET /api/consent and identify (self-service still
// admits its visitor to their own data), on the
// instance that recorded the decision at once and on another instance
// sharing the ledger within seconds; so do the tokens of a visitor under
// a stop of use, until resumed.
func TestWithdrawalRevokes(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(nil)
	other := e.start(func(m *Main) { m.Config.DataDir, m.Config.Spool.Dir = e.t.TempDir(), e.t.TempDir() }) // same ledger and secret

	a := privDecide(t, m, "shop", "custom", []string{"analytics"}, "")
	a.hit(t, m, "/granted")
	e.waitCount(1, "SELECT count() FROM DB.events WHERE url_path = '/granted' AND visitor_id = ? AND consent_id = ?", a.vid, a.consentID)
	privDecide(t, m, "shop", "withdraw", nil, a.token)

	t.Run("same instance at once", func(t *testing.T) {
		a.hit(t, m, "/after-withdrawal")
		e.waitCount(1, "SELECT count() FROM DB.events WHERE url_path = '/after-withdrawal' AND visitor_id = '' AND session_id = '' AND consent_id = '' AND purposes = ['necessary']")
		if n := e.count("SELECT count() FROM DB.events WHERE visitor_id = ?", a.vid); n != 1 {
			t.Fatalf("%d events carry the withdrawn visitor ID, want only the one before", n)
		}
		if st := consentStatus(t, m, a.token); st != 404 {
			t.Fatalf("GET /api/consent with the withdrawn token: %d, want 404", st)
		}
		// The visitor keeps the rights of access and erasure: the banner
		// withdraws first, then erases with the token it held.
		if st, b := selfService(t, m, a.token); st != 200 {
			t.Fatalf("self-service with the withdrawn token: %d %s, want 200", st, b)
		}
	})

	t.Run("other instance within seconds", func(t *testing.T) {
		b := privDecide(t, other, "shop", "accept_all", nil, "")
		g := verify(t, m, b.token)
		site := &m.Config.Sites[0]
		if st := m.gate.Standing(site, g, time.Now()); st != consent.Current {
			t.Fatalf("fresh grant on the other instance: %v", st)
		}
		privDecide(t, other, "shop", "reject_all", nil, b.token)
		start := time.Now()
		for m.gate.Standing(site, g, time.Now()) != consent.Superseded {
			if time.Since(start) > 3*revocationsEvery+5*time.Second {
				t.Fatalf("the other instance's withdrawal not seen after %v", time.Since(start))
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Logf("seen by the other instance after %v", time.Since(start).Round(time.Millisecond))
		b.hit(t, m, "/replayed-elsewhere")
		e.waitCount(1, "SELECT count() FROM DB.events WHERE url_path = '/replayed-elsewhere' AND visitor_id = '' AND consent_id = ''")
		if st, body := b.identify(t, m, "bob", nil); st != 403 || !strings.Contains(string(body), "consent_required") {
			t.Fatalf("identify with the superseded token: %d %s, want 403 consent_required", st, body)
		}
	})

	t.Run("restart keeps it", func(t *testing.T) {
		again := e.start(func(m *Main) { m.Config.DataDir, m.Config.Spool.Dir = e.t.TempDir(), e.t.TempDir() })
		if st := again.gate.Standing(&again.Config.Sites[0], verify(t, again, a.token), time.Now()); st != consent.Superseded {
			t.Fatalf("after a restart the withdrawn token is %v", st)
		}
	})

	t.Run("stop of use", func(t *testing.T) {
		s := privDecide(t, m, "shop", "accept_all", nil, "")
		priv := e.token(admin.ScopePrivacy)
		if st, body := privCall(t, m, "POST", "/admin/api/privacy/stop", priv, map[string]string{"site": "shop", "visitor": s.vid}, nil); st != 200 {
			t.Fatalf("stop: %d %s", st, body)
		}
		s.hit(t, m, "/stopped")
		e.waitCount(1, "SELECT count() FROM DB.events WHERE url_path = '/stopped' AND visitor_id = '' AND consent_id = ''")
		if st := consentStatus(t, m, s.token); st != 404 {
			t.Fatalf("GET /api/consent of a stopped visitor: %d, want 404", st)
		}
		// The visitor keeps the rights of access and erasure.
		if st, b := selfService(t, m, s.token); st != 200 || !strings.Contains(string(b), `"state":"stopped"`) {
			t.Fatalf("self-service of a stopped visitor: %d %s", st, b)
		}
		if st, body := privCall(t, m, "POST", "/admin/api/privacy/resume", priv, map[string]string{"site": "shop", "visitor": s.vid}, nil); st != 200 {
			t.Fatalf("resume: %d %s", st, body)
		}
		s.hit(t, m, "/resumed")
		e.waitCount(1, "SELECT count() FROM DB.events WHERE url_path = '/resumed' AND visitor_id = ?", s.vid)
	})
}

// TestConsentCurrentRule: one rule decides whether a token counts. A
// token of an older policy revision is no decision for GET /api/consent
// (the banner asks again), carries no visitor ID into events, cannot link
// a user and opens no self-service.
func TestConsentCurrentRule(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(nil)
	now := time.Now()
	old := testSigner(t, m).Sign(collector.Grant{ConsentID: uuid.Must(uuid.NewV7()).String(), Site: "shop", VisitorID: "old-revision-visitor",
		Purposes: []string{"necessary", "analytics", "personalization"}, Revision: m.Config.Sites[0].PolicyRevision - 1,
		IssuedAt: now, ExpiresAt: now.Add(time.Hour)})
	cur := privDecide(t, m, "shop", "accept_all", nil, "")
	if st := consentStatus(t, m, cur.token); st != 200 {
		t.Fatalf("GET /api/consent with a current token: %d", st)
	}
	if st := consentStatus(t, m, old); st != 404 {
		t.Fatalf("GET /api/consent with a token of the previous revision: %d, want 404", st)
	}
	if st, b := selfService(t, m, old); st != 401 {
		t.Fatalf("self-service with a token of the previous revision: %d %s, want 401", st, b)
	}
	v := privVisitor{site: "shop", token: old}
	if st, b := v.identify(t, m, "carol", nil); st != 403 {
		t.Fatalf("identify with a token of the previous revision: %d %s, want 403", st, b)
	}
	v.hit(t, m, "/old-revision")
	e.waitCount(1, "SELECT count() FROM DB.events WHERE url_path = '/old-revision' AND visitor_id = '' AND consent_id = ''")
}

// TestRefusalUnlinkable: after one "Reject all", hits of the same browser
// on two days share no field in ClickHouse: no consent ID, no visitor or
// session ID, and anonymous hashes that differ (the daily salt).
func TestRefusalUnlinkable(t *testing.T) {
	e := newPrivEnv(t)
	var shift atomic.Int64
	m := e.start(func(m *Main) { m.Now = func() time.Time { return time.Now().Add(time.Duration(shift.Load())) } })
	r := privDecide(t, m, "shop", "reject_all", nil, "")
	if r.vid != "" {
		t.Fatalf("a refusal issued visitor ID %q", r.vid)
	}
	r.hit(t, m, "/day-1")
	shift.Store(int64(24 * time.Hour))
	if err := m.salter.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.hit(t, m, "/day-2")
	e.waitCount(2, "SELECT count() FROM DB.events WHERE url_path IN ('/day-1', '/day-2')")
	if n := e.count("SELECT count() FROM DB.events WHERE url_path IN ('/day-1', '/day-2') AND consent_id = '' AND visitor_id = '' AND session_id = '' AND user_id = '' AND visitor_hash != 0"); n != 2 {
		t.Fatalf("%d of the refusing visitor's hits are anonymous, want 2", n)
	}
	if n := e.count("SELECT uniqExact(visitor_hash) FROM DB.events WHERE url_path IN ('/day-1', '/day-2')"); n != 2 {
		t.Fatalf("the two days' hits share their anonymous hash")
	}
	if n := e.count("SELECT uniqExact(toDate(ts)) FROM DB.events WHERE url_path IN ('/day-1', '/day-2')"); n != 2 {
		t.Fatalf("the hits are not on two days")
	}
	// The refusal itself stays provable in the ledger.
	if n := e.count("SELECT count() FROM DB.consent_log WHERE consent_id = ? AND method = 'reject_all'", r.consentID); n != 1 {
		t.Fatalf("ledger rows of the refusal: %d", n)
	}
}

// TestWithdrawalRevokesWithoutVisitor: a decision that bound no visitor ID
// (advertising alone: click IDs, no persistent ID) has nothing but its
// consent ID to tie it to the decision that replaced it; a withdrawal
// revokes that ID itself, on the instance that recorded it at once, on
// another instance within seconds and after a restart.
func TestWithdrawalRevokesWithoutVisitor(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(nil)
	other := e.start(func(m *Main) { m.Config.DataDir, m.Config.Spool.Dir = e.t.TempDir(), e.t.TempDir() })

	a := privDecide(t, m, "shop", "custom", []string{"advertising"}, "")
	if a.vid != "" {
		t.Fatalf("an advertising-only decision issued visitor ID %q", a.vid)
	}
	a.hit(t, m, "/ad?gclid=before")
	e.waitCount(1, "SELECT count() FROM DB.events WHERE url_path = '/ad' AND click_id = 'before' AND has(purposes, 'advertising')")
	g := verify(t, m, a.token)
	site := &m.Config.Sites[0]
	if st := other.gate.Standing(site, g, time.Now()); st != consent.Current {
		t.Fatalf("before the withdrawal the other instance says %v", st)
	}
	privDecide(t, m, "shop", "withdraw", nil, a.token)

	a.hit(t, m, "/ad?gclid=after")
	e.waitCount(1, "SELECT count() FROM DB.events WHERE url_path = '/ad' AND click_id = '' AND purposes = ['necessary']")
	if n := e.count("SELECT count() FROM DB.events WHERE click_id = 'after'"); n != 0 {
		t.Fatalf("%d events kept the click ID of a withdrawn decision", n)
	}
	start := time.Now()
	for other.gate.Standing(site, g, time.Now()) != consent.Superseded {
		if time.Since(start) > 3*revocationsEvery+5*time.Second {
			t.Fatalf("the other instance still counts the withdrawn token after %v", time.Since(start))
		}
		time.Sleep(50 * time.Millisecond)
	}
	again := e.start(func(m *Main) { m.Config.DataDir, m.Config.Spool.Dir = e.t.TempDir(), e.t.TempDir() })
	if st := again.gate.Standing(&again.Config.Sites[0], g, time.Now()); st != consent.Superseded {
		t.Fatalf("after a restart the withdrawn token is %v", st)
	}
}
