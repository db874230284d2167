package main

import (
	"regexp"
	"strings"
	"testing"
)

// inlineScript finds script that a CSP without 'unsafe-inline' would
// block: event-handler attributes, javascript: URLs, and (with
// scriptElement) <script> elements without src or with content.
var (
	inlineScript  = regexp.MustCompile(`(?i)\son[a-z]+\s*=|javascript:`)
	scriptElement = regexp.MustCompile(`(?is)<script([^>]*)>(.*?)</script>`)
)

// TestHTMLSecurityHeaders: every HTML page of the collector carries a
// Content-Security-Policy that allows no inline script and no framing,
// nosniff and a Referrer-Policy, and has no inline script to allow.
func TestHTMLSecurityHeaders(t *testing.T) {
	ts := startServer(t)
	for _, path := range []string{"/demo/", "/privacy/demo/external?lang=en", "/privacy/demo/external?lang=ja", "/dashboard/"} {
		t.Run(path, func(t *testing.T) {
			st, body, h := ts.get(t, path, nil)
			if st != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
				t.Fatalf("%d %s", st, h.Get("Content-Type"))
			}
			csp := h.Get("Content-Security-Policy")
			script := regexp.MustCompile(`script-src ([^;]*)`).FindStringSubmatch(csp)
			if script == nil || strings.Contains(script[1], "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("Content-Security-Policy %q: want a script-src without unsafe-inline", csp)
			}
			if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "object-src 'none'") {
				t.Errorf("Content-Security-Policy %q: want frame-ancestors and object-src 'none'", csp)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
				t.Errorf("X-Content-Type-Options %q, Referrer-Policy %q", h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
			}
			if m := inlineScript.FindString(body); m != "" {
				t.Errorf("inline script %q in the page", m)
			}
			for _, m := range scriptElement.FindAllStringSubmatch(body, -1) {
				if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
					t.Errorf("inline script element %q", m[0])
				}
			}
		})
	}
	if st, body, h := ts.get(t, "/demo/demo.js", nil); st != 200 || !strings.Contains(body, "addEventListener") ||
		!strings.HasPrefix(h.Get("Content-Type"), "text/javascript") {
		t.Errorf("/demo/demo.js: %d %s", st, h.Get("Content-Type"))
	}
}

// TestMetricsListener: with metrics_listen set and no metrics_token, the
// metrics are served on their own address and not on the public one.
func TestMetricsListener(t *testing.T) {
	ts := startServer(t, "--metrics-listen", "127.0.0.1:0", "--metrics-token", "")
	if ts.MetricsAddr == "" || ts.MetricsAddr == ts.Addr {
		t.Fatalf("metrics address %q (public %q)", ts.MetricsAddr, ts.Addr)
	}
	if st, _, _ := ts.get(t, "/metrics", nil); st != 404 {
		t.Errorf("/metrics on the public address: %d, want 404", st)
	}
	if st, _, _ := ts.get(t, "/metrics", map[string]string{"Authorization": "Bearer "}); st != 404 {
		t.Errorf("/metrics on the public address with an empty token: %d, want 404", st)
	}
	metrics := &testServer{URL: "http://" + ts.MetricsAddr}
	if st, body, _ := metrics.get(t, "/metrics", nil); st != 200 || !strings.Contains(body, "ashiato_spool_bytes") {
		t.Errorf("/metrics on the metrics listener: %d", st)
	}
}
