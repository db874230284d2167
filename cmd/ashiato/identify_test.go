package main

import (
	"encoding/base64"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/consent"
)

// openSiteYAML adds a site that opts in to unsigned identify and stores
// user IDs as given.
const openSiteYAML = `  - id: open
    hosts: [open.example]
    origins: ["https://open.example"]
    allow_unsigned_identify: true
    hash_user_id: false
`

// TestIdentifyAssertion: only the site's back end can name a user. An
// identify without an assertion, or with one that is forged, expired,
// too long-lived, for another site, unsigned (alg none) or a consent API
// credential, is refused and stores nothing; a valid one links its
// subject. A site that opts in takes unsigned user IDs. User IDs are
// stored hashed unless a site turns it off.
func TestIdentifyAssertion(t *testing.T) {
	e := newPrivEnv(t)
	if err := os.WriteFile(e.cfgFile, []byte(privSitesYAML+openSiteYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	m := e.start(nil)
	v := privDecide(t, m, "shop", "accept_all", nil, "")
	key := []byte(testIdentifyKey)
	now := time.Now()
	sign := func(user, site, scope string, at time.Time, ttl time.Duration) string {
		return consent.SignAssertion(key, user, site, scope, at, ttl)
	}
	enc := base64.RawURLEncoding.EncodeToString
	algNone := enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." +
		enc([]byte(`{"sub":"alice","aud":"shop","iat":`+strconv.FormatInt(now.Unix(), 10)+`,"exp":`+strconv.FormatInt(now.Unix()+300, 10)+`}`)) + "."

	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
		code   string
	}{
		{"unsigned user ID", map[string]any{"user_id": "alice"}, 403, "assertion_required"},
		{"forged", map[string]any{"assertion": consent.SignAssertion([]byte("a key the attacker made up, 32+ bytes"), "alice", "shop", "", now, time.Minute)}, 403, "assertion_invalid"},
		{"for another site", map[string]any{"assertion": sign("alice", "blog", "", now, time.Minute)}, 403, "assertion_invalid"},
		{"expired", map[string]any{"assertion": sign("alice", "shop", "", now.Add(-20*time.Minute), 5*time.Minute)}, 403, "assertion_invalid"},
		{"lives an hour", map[string]any{"assertion": sign("alice", "shop", "", now, time.Hour)}, 403, "assertion_invalid"},
		{"alg none", map[string]any{"assertion": algNone}, 403, "assertion_invalid"},
		{"consent API credential", map[string]any{"assertion": sign("alice", "shop", consent.ScopeConsent, now, time.Minute)}, 403, "assertion_invalid"},
		{"user_id beside it differs", map[string]any{"assertion": sign("alice", "shop", "", now, time.Minute), "user_id": "mallory"}, 400, `"field":"user_id"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.body["site"], tc.body["consent"] = "shop", v.token
			st, b := privCall(t, m, "POST", "/api/identify", "", tc.body, nil)
			if st != tc.status || !strings.Contains(string(b), tc.code) {
				t.Fatalf("%d %s, want %d %s", st, b, tc.status, tc.code)
			}
		})
	}
	if n := e.count("SELECT count() FROM DB.identities"); n != 0 {
		t.Fatalf("refused identifies stored %d links", n)
	}

	t.Run("the snippet's identify(assertion) sends it as user_id", func(t *testing.T) {
		w := privDecide(t, m, "shop", "accept_all", nil, "")
		if st, b := privCall(t, m, "POST", "/api/identify", "", map[string]any{"site": "shop", "user_id": sign("walter", "shop", "", now, time.Minute), "consent": w.token}, nil); st != 202 {
			t.Fatalf("identify(assertion): %d %s", st, b)
		}
		if n := e.count("SELECT count() FROM DB.identities WHERE visitor_id = ? AND user_id = ?", w.vid, m.privacy.svc.Keys.StoredUserID(&m.Config.Sites[0], "walter")); n != 1 {
			t.Fatalf("link of the asserted user: %d rows", n)
		}
		if st, b := privCall(t, m, "POST", "/api/identify", "", map[string]any{"site": "shop", "user_id": sign("walter", "blog", "", now, time.Minute), "consent": w.token}, nil); st != 403 || !strings.Contains(string(b), "assertion_invalid") {
			t.Fatalf("identify(another site's assertion): %d %s", st, b)
		}
	})

	shop := m.privacy.svc.Keys.StoredUserID(&m.Config.Sites[0], "alice")
	if st, b := privCall(t, m, "POST", "/api/identify", "", map[string]any{"site": "shop", "assertion": sign("alice", "shop", "", now, time.Minute), "user_id": "alice", "consent": v.token}, nil); st != 202 {
		t.Fatalf("identify with a valid assertion: %d %s", st, b)
	}
	if n := e.count("SELECT count() FROM DB.identities WHERE site_id = 'shop' AND visitor_id = ? AND user_id = ?", v.vid, shop); n != 1 {
		t.Fatalf("link of the asserted user: %d rows", n)
	}

	t.Run("user IDs hashed by default", func(t *testing.T) {
		b := privDecide(t, m, "blog", "accept_all", nil, "")
		if st, body := b.identify(t, m, "dave", nil); st != 202 {
			t.Fatalf("identify on blog: %d %s", st, body)
		}
		b.hit(t, m, "/after-identify")
		e.waitCount(1, "SELECT count() FROM DB.events WHERE site_id = 'blog' AND url_path = '/after-identify' AND startsWith(user_id, 'h1:')")
		if n := e.count("SELECT count() FROM DB.identities WHERE site_id = 'blog' AND startsWith(user_id, 'h1:')"); n != 1 {
			t.Fatalf("hashed links on blog: %d, want 1", n)
		}
		if n := e.count("SELECT count() FROM DB.identities WHERE user_id = 'dave'") + e.count("SELECT count() FROM DB.events WHERE user_id = 'dave'"); n != 0 {
			t.Fatalf("%d rows hold the raw user ID of a site that did not set hash_user_id", n)
		}
	})

	t.Run("a site that opts in takes unsigned user IDs", func(t *testing.T) {
		o := privDecide(t, m, "open", "accept_all", nil, "")
		st, b := privCall(t, m, "POST", "/api/identify", "", map[string]any{"site": "open", "user_id": "erin", "consent": o.token}, nil)
		if st != 202 {
			t.Fatalf("unsigned identify on a site that allows it: %d %s", st, b)
		}
		if n := e.count("SELECT count() FROM DB.identities WHERE site_id = 'open' AND user_id = 'erin'"); n != 1 {
			t.Fatalf("unhashed link on open: %d, want 1", n)
		}
	})
}
