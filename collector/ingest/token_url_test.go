package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/consent"
)

// fakeVerifier accepts the token "good" of site shop, with a visitor ID.
type fakeVerifier struct{}

func (fakeVerifier) Verify(token string, _ time.Time) (*collector.Grant, error) {
	if token != "good" {
		return nil, errors.New("bad token")
	}
	return &collector.Grant{Site: "shop", VisitorID: "v1", Purposes: []string{"necessary", "analytics"}, ExpiresAt: time.Unix(2e9, 0)}, nil
}

func (fakeVerifier) Sign(collector.Grant) string { return "good" }

// fakeRights answers the self-service calls with fixed data.
type fakeRights struct{}

func (fakeRights) VisitorSummary(context.Context, string, string) (any, error) {
	return map[string]string{"visitor_id": "v1"}, nil
}
func (fakeRights) ExportVisitor(_ context.Context, _, _, _ string, w io.Writer) error {
	_, err := io.WriteString(w, "{}")
	return err
}
func (fakeRights) EraseVisitor(context.Context, string, string) (string, error) { return "r1", nil }

// TestTokenNeverInURL: the self-service and GET /api/consent take the
// consent token from an Authorization header (or the body, or the cookie),
// never from ?token=; a preflight allows the header for an allowed origin.
func TestTokenNeverInURL(t *testing.T) {
	sites := NewSites([]collector.Site{{ID: "shop", Origins: []string{"https://shop.example"}}})
	now := func() time.Time { return time.Unix(1.8e9, 0) }
	app := fiber.New()
	api := app.Group("/api")
	(&Handler{Sites: sites}).Register(api)
	(&RightsHandler{Sites: sites, Verifier: fakeVerifier{}, Rights: fakeRights{}, Log: slog.New(slog.DiscardHandler), Now: now}).Register(api)
	(&ConsentHandler{Sites: sites, Signer: fakeVerifier{}, Log: slog.New(slog.DiscardHandler), Now: now}).Register(api)

	for _, tc := range []struct {
		name, method, path, auth, body string
		want                           int
	}{
		{"summary, token in the URL", "GET", "/api/privacy/me?site=shop&token=good", "", "", 401},
		{"summary, bearer header", "GET", "/api/privacy/me?site=shop", "Bearer good", "", 200},
		{"summary, lower-case scheme", "GET", "/api/privacy/me?site=shop", "bearer good", "", 200},
		{"summary, wrong token", "GET", "/api/privacy/me?site=shop", "Bearer bad", "", 401},
		{"export, token in the URL", "GET", "/api/privacy/me/export?site=shop&format=json&token=good", "", "", 401},
		{"export, bearer header", "GET", "/api/privacy/me/export?site=shop&format=json", "Bearer good", "", 200},
		{"erase, token in the URL", "POST", "/api/privacy/me/erase?token=good", "", `{"site":"shop"}`, 401},
		{"erase, token in the body", "POST", "/api/privacy/me/erase", "", `{"site":"shop","consent":"good"}`, 202},
		{"current decision, token in the URL", "GET", "/api/consent?site=shop&token=good", "", "", 404},
		{"current decision, bearer header", "GET", "/api/consent?site=shop", "Bearer good", "", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "text/plain")
			req.Header.Set("Origin", "https://shop.example")
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.want {
				t.Fatalf("%s %s: %d %s, want %d", tc.method, tc.path, resp.StatusCode, b, tc.want)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "https://shop.example" {
				t.Errorf("Access-Control-Allow-Origin = %q", got)
			}
		})
	}

	t.Run("preflight allows Authorization", func(t *testing.T) {
		req := httptest.NewRequest("OPTIONS", "/api/privacy/me?site=shop", nil)
		req.Header.Set("Origin", "https://shop.example")
		req.Header.Set("Access-Control-Request-Method", "GET")
		req.Header.Set("Access-Control-Request-Headers", "authorization")
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		allow := resp.Header.Get("Access-Control-Allow-Headers")
		if resp.StatusCode != 204 || !strings.Contains(strings.ToLower(allow), "authorization") || resp.Header.Get("Access-Control-Allow-Origin") != "https://shop.example" {
			t.Fatalf("preflight: %d, allow headers %q", resp.StatusCode, allow)
		}
	})
	t.Run("preflight refuses another origin", func(t *testing.T) {
		req := httptest.NewRequest("OPTIONS", "/api/privacy/me?site=shop", nil)
		req.Header.Set("Origin", "https://evil.example")
		resp, _ := app.Test(req, -1)
		if resp.StatusCode != 403 || resp.Header.Get("Access-Control-Allow-Headers") != "" {
			t.Fatalf("preflight from another origin: %d", resp.StatusCode)
		}
	})
}

// TestPolicyURLAbsolute: a policy URL configured as a path is one of the
// collector's pages and reaches the banner (on another origin) absolute.
func TestPolicyURLAbsolute(t *testing.T) {
	sites := NewSites([]collector.Site{{ID: "demo", PolicyURL: "/privacy/demo/external"}, {ID: "shop", PolicyURL: "https://shop.example/privacy"}})
	app := fiber.New()
	h := &ConsentHandler{Sites: sites, Configs: map[string]consent.BannerConfig{}}
	for _, s := range sites.All() {
		h.Configs[s.ID] = consent.NewBannerConfig(s)
	}
	h.Register(app.Group("/api"))
	for site, want := range map[string]string{"demo": "http://stats.example:8080/privacy/demo/external", "shop": "https://shop.example/privacy"} {
		resp, err := app.Test(httptest.NewRequest("GET", "http://stats.example:8080/api/consent/config?site="+site, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		var got consent.BannerConfig
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			t.Fatal(err)
		}
		if got.PolicyURL != want || got.TextsHash != h.Configs[site].TextsHash {
			t.Errorf("site %s: policy_url %q (texts hash %s), want %q (hash unchanged)", site, got.PolicyURL, got.TextsHash, want)
		}
	}
}
