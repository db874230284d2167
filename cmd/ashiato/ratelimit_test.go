package main

import (
	"fmt"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector/config"
)

// xffSource takes the client address from X-Forwarded-For, as if every
// peer were a trusted proxy.
type xffSource struct{}

func (xffSource) ClientIP(remote netip.Addr, xff string) netip.Addr {
	if a, err := netip.ParseAddr(xff); err == nil {
		return a
	}
	return remote
}

// TestRateLimitPerClient: visitors behind one carrier-grade NAT address,
// each with their own browser, are not one client; one client above the
// rate is refused with Retry-After; a sender that rotates User-Agents
// meets the address's ceiling (addressShare clients), and other addresses
// are not affected.
func TestRateLimitPerClient(t *testing.T) {
	app := fiber.New()
	// A rate so low that no token comes back while the test runs (slowly, under -race).
	app.Use(rateLimit(config.Server{RatePerIP: 0.01, RateBurst: 10}, xffSource{}))
	app.Post("/api/event", func(c *fiber.Ctx) error { return c.SendStatus(202) })
	send := func(ip, ua string) (int, string) {
		req := httptest.NewRequest("POST", "/api/event", nil)
		req.Header.Set("X-Forwarded-For", ip)
		req.Header.Set("User-Agent", ua)
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	count := func(ip string, n int, ua func(i int) string) (ok, limited int) {
		for i := range n {
			if st, _ := send(ip, ua(i)); st == 202 {
				ok++
			} else if st == 429 {
				limited++
			} else {
				t.Fatalf("status %d", st)
			}
		}
		return ok, limited
	}

	// 20 browsers behind one address, 4 hits each: 80 hits, 8 times one
	// client's burst, and all of them are taken.
	if ok, limited := count("203.0.113.7", 80, func(i int) string {
		return fmt.Sprintf("Mozilla/5.0 (iPhone; CPU iPhone OS 18_%d like Mac OS X)", i%20)
	}); limited != 0 {
		t.Errorf("NAT address with 20 browsers: %d taken, %d refused; want none refused", ok, limited)
	}
	// One client above its burst is refused, with Retry-After.
	if ok, limited := count("198.51.100.1", 15, func(int) string { return "curl/8.0" }); ok != 10 || limited != 5 {
		t.Errorf("one client: %d taken, %d refused; want 10 and 5", ok, limited)
	}
	if st, ra := send("198.51.100.1", "curl/8.0"); st != 429 || ra == "" || ra == "0" {
		t.Errorf("over the limit: %d Retry-After %q, want 429 and the seconds until a token", st, ra)
	}
	// Rotating User-Agents buys addressShare clients' burst, no more.
	if ok, limited := count("192.0.2.9", 150, func(i int) string { return fmt.Sprintf("bot/%d", i) }); ok != 10*addressShare || limited != 150-10*addressShare {
		t.Errorf("rotating User-Agents: %d taken, %d refused; want %d taken", ok, limited, 10*addressShare)
	}
	if st, _ := send("192.0.2.10", "bot/1"); st != 202 {
		t.Errorf("another address: %d, want 202", st)
	}
}

func TestBucketsSweep(t *testing.T) {
	b := newBuckets(1000, 1)
	now := time.Unix(0, 0)
	for i := range 5000 {
		b.take(clientKey{netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), 0}, now.Add(time.Duration(i)*time.Millisecond))
	}
	if n := len(b.m); n > 2048 {
		t.Errorf("%d buckets kept of clients idle for seconds; want them swept", n)
	}
}
