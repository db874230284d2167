package ingest

import (
	"encoding/json"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/consent"
)

// startConsentApp serves the consent config of a site whose policy URL is
// a path on 127.0.0.1 (a real peer address, which Fiber's proxy check
// needs), trusting proxies and the given public URL.
func startConsentApp(t testing.TB, publicURL string, proxies []netip.Prefix) string {
	t.Helper()
	sites := NewSites([]collector.Site{{ID: "pol", PolicyURL: "/privacy/pol/external"}})
	var fc fiber.Config
	fc.DisableStartupMessage = true
	TrustProxies(&fc, proxies)
	app := fiber.New(fc)
	h := &ConsentHandler{Sites: sites, Configs: map[string]consent.BannerConfig{"pol": consent.NewBannerConfig(sites.All()[0])}, PublicURL: publicURL}
	h.Register(app.Group("/api"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.Shutdown() })
	return ln.Addr().String()
}

// TestPolicyURLForwardedHost: the forwarded host and scheme reach the
// policy URL only from a trusted proxy, and then the answer varies with
// them; public_url wins over both.
func TestPolicyURLForwardedHost(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	for _, tc := range []struct {
		name      string
		publicURL string
		proxies   []netip.Prefix
		want      string // "" is the address the client connected to, over http
		vary      bool
	}{
		{name: "untrusted peer, no public URL"},
		{name: "untrusted peer, public URL", publicURL: "https://stats.example.com/", want: "https://stats.example.com"},
		{name: "trusted proxy", proxies: loopback, want: "https://evil.example", vary: true},
		{name: "trusted proxy, public URL", publicURL: "https://stats.example.com", proxies: loopback, want: "https://stats.example.com"},
		{name: "another proxy trusted", proxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := startConsentApp(t, tc.publicURL, tc.proxies)
			if tc.want == "" {
				tc.want = "http://" + addr
			}
			req, _ := http.NewRequest("GET", "http://"+addr+"/api/consent/config?site=pol", nil)
			req.Header.Set("X-Forwarded-Host", "evil.example")
			req.Header.Set("X-Forwarded-Proto", "https")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got consent.BannerConfig
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if got.PolicyURL != tc.want+"/privacy/pol/external" {
				t.Errorf("policy_url %q, want %q", got.PolicyURL, tc.want+"/privacy/pol/external")
			}
			vary := resp.Header.Get("Vary")
			if strings.Contains(vary, "X-Forwarded-Host") != tc.vary || strings.Contains(vary, "X-Forwarded-Proto") != tc.vary {
				t.Errorf("Vary %q, want forwarded headers: %v", vary, tc.vary)
			}
		})
	}
}
