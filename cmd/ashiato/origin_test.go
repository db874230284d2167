package main

import (
	"net/url"
	"os"
	"strings"
	"testing"
)

// TestForwardedHostOrigin: the absolute URLs the collector hands out (an
// unsubscribe link, a policy URL that is a path) come from public_url when
// it is set, and take X-Forwarded-Host and -Proto only from a trusted
// proxy. The probe that found it sent them from an untrusted client and
// got https://evil.example/api/unsubscribe?t=… back.
func TestForwardedHostOrigin(t *testing.T) {
	yaml := strings.Replace(prefSitesYAML, "    hosts: [shop.example]\n", "    hosts: [shop.example]\n    policy_url: /privacy/shop/external\n", 1)
	for _, tc := range []struct {
		name      string
		publicURL string
		proxies   []string
		want      string // "" is the address the client connected to, over http
	}{
		{name: "untrusted client"},
		{name: "public URL", publicURL: "https://stats.example.com", proxies: []string{"127.0.0.1"}, want: "https://stats.example.com"},
		{name: "trusted proxy", proxies: []string{"127.0.0.1"}, want: "https://evil.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newPrivEnv(t)
			if err := os.WriteFile(e.cfgFile, []byte(yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			m := e.start(func(m *Main) {
				m.Config.PublicURL = tc.publicURL
				m.Config.Enrich.TrustedProxies = tc.proxies
			})
			if tc.want == "" {
				tc.want = "http://" + m.Addr
			}
			forwarded := []string{"X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https"}
			var link struct {
				URL string `json:"url"`
			}
			if st, b := privCall(t, m, "POST", "/admin/api/preferences/links", e.token("preferences"),
				map[string]string{"site": "shop", "user": "alice", "channel": "email", "topic": "campaigns"}, &link, forwarded...); st != 200 {
				t.Fatalf("mint link: %d %s", st, b)
			}
			if u, err := url.Parse(link.URL); err != nil || u.Scheme+"://"+u.Host != tc.want || u.Path != "/api/unsubscribe" {
				t.Errorf("unsubscribe link %q, want one on %s", link.URL, tc.want)
			}
			var cfg struct {
				PolicyURL string `json:"policy_url"`
			}
			if st, b := privCall(t, m, "GET", "/api/consent/config?site=shop", "", nil, &cfg, forwarded...); st != 200 {
				t.Fatalf("consent config: %d %s", st, b)
			}
			if cfg.PolicyURL != tc.want+"/privacy/shop/external" {
				t.Errorf("policy_url %q, want %q", cfg.PolicyURL, tc.want+"/privacy/shop/external")
			}
		})
	}
}
