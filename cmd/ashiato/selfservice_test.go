package main

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/ashiato/ashiato/collector/ingest"
)

// TestSelfServiceBudget: a visitor's self-service calls are limited per
// minute (429 with Retry-After beyond the budget); another visitor is not
// affected.
func TestSelfServiceBudget(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(nil)
	v := privDecide(t, m, "shop", "accept_all", nil, "")
	other := privDecide(t, m, "shop", "accept_all", nil, "")
	for i := range ingest.SelfServiceBudget {
		if st, b := privCall(t, m, "GET", "/api/privacy/me?site=shop", "", nil, nil, "Cookie", "ashiato_consent="+v.token); st != 200 {
			t.Fatalf("call %d: %d %s", i, st, b)
		}
	}
	req, _ := http.NewRequest("GET", "http://"+m.Addr+"/api/privacy/me/export?site=shop", nil)
	req.Header.Set("Cookie", "ashiato_consent="+v.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if s, _ := strconv.Atoi(resp.Header.Get("Retry-After")); resp.StatusCode != 429 || s < 1 || s > 60 {
		t.Fatalf("call over the budget: %d, Retry-After %q; want 429 and 1..60 s", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if st, b := privCall(t, m, "GET", "/api/privacy/me?site=shop", "", nil, nil, "Cookie", "ashiato_consent="+other.token); st != 200 {
		t.Fatalf("another visitor: %d %s", st, b)
	}
}
