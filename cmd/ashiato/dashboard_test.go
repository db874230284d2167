package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/admin"
)

// dashCall sends a request to the dashboard with headers (pairs) and
// returns the response and its body; redirects are not followed.
func dashCall(t *testing.T, m *Main, method, path, body string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+m.Addr+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func sessionCookie(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == admin.SessionCookie {
			return c
		}
	}
	return nil
}

var sameOrigin = []string{"Sec-Fetch-Site", "same-origin"}

// TestDashboardPage: the page is never cached and carries a strict CSP
// (no inline script or style); its assets are served at content-hashed
// paths, immutable for a year, and revalidate by ETag.
func TestDashboardPage(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(nil)
	resp, body := dashCall(t, m, "GET", "/dashboard/", "")
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("GET /dashboard/: %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self';") || !strings.Contains(csp, "style-src 'self';") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q: want script-src and style-src 'self' only", csp)
	}
	if !strings.Contains(body, `name="token"`) {
		t.Error("the page has no input named token")
	}
	assets := regexp.MustCompile(`/dashboard/app\.[0-9a-f]{10}\.(js|css)`).FindAllString(body, -1)
	if len(assets) != 2 {
		t.Fatalf("versioned assets in the page: %v, want app.js and app.css", assets)
	}
	for _, a := range assets {
		resp, b := dashCall(t, m, "GET", a, "")
		if resp.StatusCode != 200 || len(b) == 0 || resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s: %d, %d bytes, Cache-Control %q", a, resp.StatusCode, len(b), resp.Header.Get("Cache-Control"))
		}
		if resp, _ := dashCall(t, m, "GET", a, "", "If-None-Match", resp.Header.Get("ETag")); resp.StatusCode != 304 {
			t.Errorf("GET %s with its ETag: %d, want 304", a, resp.StatusCode)
		}
	}
}

// TestDashboardLogin: a query token is exchanged for an HttpOnly,
// SameSite=Strict, expiring cookie that reads the stats engine (the same
// answer as /admin/api/stats); cross-origin POSTs, wrong tokens and
// tokens without the scope are refused; logout deletes the cookie; a
// revoked token's session ends; every login and view is audited; wrong
// tokens are rate-limited with the admin API's limiter.
func TestDashboardLogin(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(func(m *Main) { m.Config.Server.AdminAuthFailures = 5 })
	query, export := e.token(admin.ScopeQuery), e.token(admin.ScopeExport)
	form := "token=" + url.QueryEscape(query)

	t.Run("csrf", func(t *testing.T) {
		for _, h := range [][]string{nil, {"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}, {"Sec-Fetch-Site", "same-site"}} {
			resp, body := dashCall(t, m, "POST", "/dashboard/login", form, h...)
			if resp.StatusCode != 403 || !strings.Contains(body, `"origin"`) || sessionCookie(resp) != nil {
				t.Errorf("login with %v: %d %s, want 403 origin and no cookie", h, resp.StatusCode, body)
			}
		}
		if resp, _ := dashCall(t, m, "POST", "/dashboard/logout", "", "Sec-Fetch-Site", "cross-site"); resp.StatusCode != 403 {
			t.Errorf("cross-site logout: %d, want 403", resp.StatusCode)
		}
		// An older browser without Sec-Fetch-Site: its own Origin passes.
		if resp, body := dashCall(t, m, "POST", "/dashboard/login", form, "Origin", "http://"+m.Addr); resp.StatusCode != 200 {
			t.Errorf("login with the page's own Origin: %d %s", resp.StatusCode, body)
		}
	})

	t.Run("refused tokens", func(t *testing.T) {
		if resp, body := dashCall(t, m, "POST", "/dashboard/login", "token=ash_0123456789ab_wrong", sameOrigin...); resp.StatusCode != 401 || sessionCookie(resp) != nil {
			t.Errorf("wrong token: %d %s", resp.StatusCode, body)
		}
		if resp, body := dashCall(t, m, "POST", "/dashboard/login", "token="+url.QueryEscape(export), sameOrigin...); resp.StatusCode != 403 || !strings.Contains(body, "scope") {
			t.Errorf("token without the query scope: %d %s", resp.StatusCode, body)
		}
		// A token in the URL (access logs) is not read, even a valid one.
		if resp, body := dashCall(t, m, "POST", "/dashboard/login?"+form, "", sameOrigin...); resp.StatusCode != 401 || sessionCookie(resp) != nil {
			t.Errorf("token in the URL: %d %s, want 401 and no cookie", resp.StatusCode, body)
		}
		if resp, _ := dashCall(t, m, "GET", "/dashboard/api/sites", ""); resp.StatusCode != 401 {
			t.Errorf("sites without a session: %d, want 401", resp.StatusCode)
		}
	})

	var cookie *http.Cookie
	t.Run("login", func(t *testing.T) {
		resp, body := dashCall(t, m, "POST", "/dashboard/login", form, sameOrigin...)
		cookie = sessionCookie(resp)
		if resp.StatusCode != 200 || cookie == nil {
			t.Fatalf("login: %d %s, cookie %v", resp.StatusCode, body, cookie)
		}
		raw := strings.ToLower(resp.Header.Get("Set-Cookie"))
		for _, want := range []string{"httponly", "samesite=strict", "path=/dashboard/", "expires="} {
			if !strings.Contains(raw, want) {
				t.Errorf("Set-Cookie %q lacks %s", raw, want)
			}
		}
		if strings.Contains(raw, "secure") {
			t.Errorf("Set-Cookie %q: Secure over a plain-http public URL", raw)
		}
		if left := time.Until(cookie.Expires); left < 7*time.Hour || left > 9*time.Hour {
			t.Errorf("cookie expires in %s, want 8h", left)
		}
		// The whole secret: its base64url may itself hold "_".
		if strings.Contains(cookie.Value, query) || strings.Contains(cookie.Value, strings.SplitN(query, "_", 3)[2]) {
			t.Error("the cookie holds the token's secret")
		}
	})
	if cookie == nil {
		t.FailNow()
	}
	withCookie := []string{"Cookie", admin.SessionCookie + "=" + cookie.Value}

	t.Run("views", func(t *testing.T) {
		resp, body := dashCall(t, m, "GET", "/dashboard/api/sites", "", withCookie...)
		if resp.StatusCode != 200 || !strings.Contains(body, `"id":"shop"`) || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("sites: %d %q %s", resp.StatusCode, resp.Header.Get("Cache-Control"), body)
		}
		q := "?site=shop&from=2026-03-01&to=2026-03-07&metrics=visitors,pageviews&compare=previous"
		resp, got := dashCall(t, m, "GET", "/dashboard/api/stats/overview"+q, "", withCookie...)
		_, want := privCall(t, m, "GET", "/admin/api/stats/overview"+q, query, nil, nil)
		if resp.StatusCode != 200 || got != string(want) {
			t.Errorf("dashboard overview: %d %s\nadmin API: %s", resp.StatusCode, got, want)
		}
		if resp, _ := dashCall(t, m, "GET", "/dashboard/api/stats/nosuch?site=shop&from=2026-03-01&to=2026-03-07", "", withCookie...); resp.StatusCode != 400 {
			t.Errorf("unknown report: %d, want 400", resp.StatusCode)
		}
		forged := []string{"Cookie", admin.SessionCookie + "=" + strings.Replace(cookie.Value, ".", ".9", 1)}
		if resp, _ := dashCall(t, m, "GET", "/dashboard/api/sites", "", forged...); resp.StatusCode != 401 {
			t.Errorf("forged cookie: %d, want 401", resp.StatusCode)
		}
	})

	t.Run("logout", func(t *testing.T) {
		resp, _ := dashCall(t, m, "POST", "/dashboard/logout", "", append(sameOrigin, withCookie...)...)
		c := sessionCookie(resp)
		if resp.StatusCode != 200 || c == nil || c.Value != "" || c.Expires.After(time.Now()) {
			t.Errorf("logout: %d, cookie %+v: want it deleted", resp.StatusCode, c)
		}
	})

	t.Run("revoked token", func(t *testing.T) {
		id := strings.Split(query, "_")[1]
		if st, b := privCall(t, m, "DELETE", "/admin/api/tokens/"+id, e.token(admin.ScopeAdmin), nil, nil); st != 200 && st != 204 {
			t.Fatalf("revoke: %d %s", st, b)
		}
		if resp, _ := dashCall(t, m, "GET", "/dashboard/api/sites", "", withCookie...); resp.StatusCode != 401 {
			t.Errorf("session of a revoked token: %d, want 401", resp.StatusCode)
		}
	})

	t.Run("audit", func(t *testing.T) {
		id := strings.Split(query, "_")[1]
		e.waitCount(1, "SELECT count() FROM DB.audit_log WHERE action = 'dashboard.stats' AND actor = ? AND site_id = 'shop' AND status = 200 AND detail != ''", "token:"+id)
		e.waitCount(1, "SELECT count() FROM DB.audit_log WHERE action = 'dashboard.stats' AND status = 400")
		e.waitCount(2, "SELECT count() FROM DB.audit_log WHERE action = 'dashboard.login' AND status = 200")
		e.waitCount(2, "SELECT count() FROM DB.audit_log WHERE action = 'dashboard.login' AND status = 401") // a wrong token, a token in the URL
		e.waitCount(1, "SELECT count() FROM DB.audit_log WHERE action = 'dashboard.login' AND status = 403")
		e.waitCount(1, "SELECT count() FROM DB.audit_log WHERE action = 'dashboard.logout' AND actor = ?", "token:"+id)
	})

	t.Run("rate limit", func(t *testing.T) {
		// The wrong token, the token in the URL and the forged cookie above
		// were 3 of 5 failures.
		codes := []int{}
		retry := ""
		for range 3 {
			resp, _ := dashCall(t, m, "POST", "/dashboard/login", "token=ash_0123456789ab_guess", sameOrigin...)
			codes = append(codes, resp.StatusCode)
			retry = resp.Header.Get("Retry-After")
		}
		if want := []int{401, 401, 429}; !equalInts(codes, want) || retry == "" {
			t.Errorf("guesses: %v (Retry-After %q), want %v with Retry-After", codes, retry, want)
		}
		var out map[string]any
		resp, body := dashCall(t, m, "POST", "/dashboard/login", form, sameOrigin...)
		json.Unmarshal([]byte(body), &out)
		if resp.StatusCode != 429 || out["error"] != "rate_limited" {
			t.Errorf("a right token from a blocked address: %d %s, want 429", resp.StatusCode, body)
		}
	})
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestDashboardSecureCookie: with an https public URL the cookie is Secure,
// and a POST from that origin passes the CSRF check.
func TestDashboardSecureCookie(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(func(m *Main) { m.Config.PublicURL = "https://stats.example.com" })
	resp, body := dashCall(t, m, "POST", "/dashboard/login", "token="+url.QueryEscape(e.token(admin.ScopeQuery)), "Origin", "https://stats.example.com")
	if resp.StatusCode != 200 || !strings.Contains(strings.ToLower(resp.Header.Get("Set-Cookie")), "; secure") {
		t.Errorf("login: %d %s, Set-Cookie %q: want Secure", resp.StatusCode, body, resp.Header.Get("Set-Cookie"))
	}
}
