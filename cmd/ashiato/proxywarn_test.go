package main

import (
	"log/slog"
	"net/netip"
	"strings"
	"testing"
)

// TestProxyWarning: behind a reverse proxy whose address is not trusted,
// the collector warns once (at start when its public URL names another
// host than the private address it listens on, and at run time when
// requests come from one private address), never per request, and not
// at all with trusted proxies configured.
func TestProxyWarning(t *testing.T) {
	hit := func(ts *testServer, n int, headers map[string]string) {
		for range n {
			if st, body, _ := ts.post(t, "/api/event", `{"site":"demo","url":"http://localhost/p"}`, headers); st != 202 {
				t.Fatalf("event: %d %s", st, body)
			}
		}
	}
	warnings := func(ts *testServer) int { return strings.Count(ts.Logs.String(), "no trusted_proxies are set") }
	t.Run("forwarded by an untrusted proxy", func(t *testing.T) {
		ts := startServer(t)
		if n := warnings(ts); n != 0 {
			t.Fatalf("%d warnings before any request", n)
		}
		hit(ts, 5, map[string]string{"X-Forwarded-For": "203.0.113.7"})
		if n := warnings(ts); n != 1 {
			t.Fatalf("%d warnings after forwarded requests, want 1:\n%s", n, ts.Logs)
		}
	})
	t.Run("public URL on another host", func(t *testing.T) {
		ts := startServer(t, "--public-url", "https://stats.example.com")
		if n := warnings(ts); n != 1 {
			t.Fatalf("%d warnings at start, want 1", n)
		}
	})
	t.Run("trusted proxies set", func(t *testing.T) {
		ts := startServer(t, "--trusted-proxies", "127.0.0.1/32", "--public-url", "https://stats.example.com")
		hit(ts, 5, map[string]string{"X-Forwarded-For": "203.0.113.7"})
		if n := warnings(ts); n != 0 {
			t.Fatalf("%d warnings with trusted proxies set", n)
		}
	})
}

// TestProxyWarnerObserve decides from the peers of requests.
func TestProxyWarnerObserve(t *testing.T) {
	lo, private, public := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("203.0.113.9")
	for _, tc := range []struct {
		name      string
		peers     []netip.Addr
		forwarded bool
		warn      bool
	}{
		{"public peer", []netip.Addr{public}, true, false},
		{"two private peers", []netip.Addr{private, lo}, false, false},
		{"one private peer, few requests", []netip.Addr{private, private}, false, false},
		{"private peer forwarding", []netip.Addr{private}, true, true},
		{"one loopback peer, many requests", repeat(lo, sameAddressRequests), false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &syncBuffer{}
			w := &proxyWarner{log: slog.New(slog.NewJSONHandler(logs, nil))}
			for _, p := range tc.peers {
				w.observe(p, tc.forwarded)
			}
			w.observe(lo, true) // after a decision, nothing more is logged
			if got := strings.Count(logs.String(), "no trusted_proxies are set"); (got == 1) != tc.warn || got > 1 {
				t.Fatalf("%d warnings, want warn=%v", got, tc.warn)
			}
		})
	}
}

func repeat(a netip.Addr, n int) []netip.Addr {
	out := make([]netip.Addr, n)
	for i := range out {
		out[i] = a
	}
	return out
}
