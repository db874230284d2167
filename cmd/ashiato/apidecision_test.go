package main

import (
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/consent"
)

// TestAPIDecision: a "method": "api" decision needs the site's signed
// credential, and the ledger keeps what the caller says was presented
// (here: nothing, revision 0), not the banner's texts hash.
func TestAPIDecision(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(nil)
	now := time.Now()
	key := []byte(testIdentifyKey)
	body := func(hash string) map[string]any {
		return map[string]any{"site": "shop", "granted": []string{"analytics"}, "method": "api", "revision": 0, "texts_hash": hash}
	}
	for _, tc := range []struct{ name, bearer string }{
		{"no credential", ""},
		{"not a JWT", "ash_token_of_something_else"},
		{"identify assertion", consent.SignAssertion(key, "crm", "shop", "", now, time.Minute)},
		{"another site's credential", consent.SignAssertion(key, "crm", "blog", consent.ScopeConsent, now, time.Minute)},
		{"another key", consent.SignAssertion([]byte("not the site's key, but long enough"), "crm", "shop", consent.ScopeConsent, now, time.Minute)},
		{"expired", consent.SignAssertion(key, "crm", "shop", consent.ScopeConsent, now.Add(-time.Hour), time.Minute)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if st, b := privCall(t, m, "POST", "/api/consent", tc.bearer, body("never-shown"), nil); st != 401 || !strings.Contains(string(b), `"unauthorized"`) {
				t.Fatalf("%d %s, want 401 unauthorized", st, b)
			}
		})
	}
	if n := e.count("SELECT count() FROM DB.consent_log"); n != 0 {
		t.Fatalf("refused API decisions left %d ledger rows", n)
	}

	cred := consent.SignAssertion(key, "crm", "shop", consent.ScopeConsent, now, time.Minute)
	var res struct {
		ConsentID string `json:"consent_id"`
		Token     string `json:"token"`
		VID       string `json:"vid"`
	}
	if st, b := privCall(t, m, "POST", "/api/consent", cred, body("never-shown"), &res); st != 200 || res.Token == "" {
		t.Fatalf("API decision with the site's credential: %d %s", st, b)
	}
	// The decision is on disk when answered, in ClickHouse once the ledger's writer ran.
	e.waitCount(1, "SELECT count() FROM DB.consent_log WHERE consent_id = ? AND method = 'api' AND revision = 0 AND texts_hash = 'never-shown'", res.ConsentID)
	if st, b := privCall(t, m, "POST", "/api/consent", cred, body(""), &res); st != 200 {
		t.Fatalf("API decision without a texts hash: %d %s", st, b)
	}
	e.waitCount(1, "SELECT count() FROM DB.consent_log WHERE consent_id = ? AND texts_hash = 'api'", res.ConsentID) // an API decision that names no texts is marked api
	// The decision holds like any other.
	v := privVisitor{site: "shop", token: res.Token, vid: res.VID}
	v.hit(t, m, "/api-decided")
	e.waitCount(1, "SELECT count() FROM DB.events WHERE url_path = '/api-decided' AND visitor_id = ?", res.VID)
}
