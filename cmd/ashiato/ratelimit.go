package main

import (
	"hash/maphash"
	"math"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/ingest"
)

// ipSource is what the rate limiter needs: the trusted client IP.
type ipSource interface {
	ClientIP(remote netip.Addr, xForwardedFor string) netip.Addr
}

// addressShare is how many clients' worth of requests one address may send
// in all: the ceiling that User-Agents rotated by one sender run into.
const addressShare = 10

// rateLimit limits requests per client: the client IP as resolved from
// trusted proxies only (a spoofed X-Forwarded-For cannot dodge it) together
// with its User-Agent, at server.rate_per_ip with bursts of
// server.rate_burst; and per address alone at addressShare times that. So
// the many visitors that a mobile carrier puts behind one carrier-grade NAT
// address, who send with many different browsers and versions, are not
// counted as one client, while one sender still cannot flood (README,
// "rate_per_ip", has the figures). Above a limit: 429 rate_limited with
// Retry-After.
func rateLimit(cfg config.Server, ips ipSource) fiber.Handler {
	if cfg.RatePerIP <= 0 {
		return func(c *fiber.Ctx) error { return c.Next() }
	}
	client := newBuckets(cfg.RatePerIP, float64(cfg.RateBurst))
	address := newBuckets(cfg.RatePerIP*addressShare, float64(cfg.RateBurst*addressShare))
	seed := maphash.MakeSeed()
	return func(c *fiber.Ctx) error {
		ip := ips.ClientIP(ingest.RemoteAddr(c), ingest.ForwardedFor(c))
		ua := maphash.Bytes(seed, c.Request().Header.UserAgent())
		now := time.Now()
		wait := client.take(clientKey{ip, ua}, now)
		if wait == 0 {
			wait = address.take(clientKey{ip, 0}, now)
		}
		if wait > 0 {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			return ingest.WriteError(c, collector.Errorf(collector.ERateLimited, "", "too many requests from this client"))
		}
		return c.Next()
	}
}

// clientKey names a client: its address and a hash of its User-Agent (0
// for the address as a whole). Nothing of it is stored beyond the bucket's
// life, and nothing logged.
type clientKey struct {
	ip netip.Addr
	ua uint64
}

// buckets is a token bucket per key: refilled at rate tokens a second up to
// burst; a request takes one. Buckets that are full again are forgotten
// (swept when the map has grown), so memory follows the clients of the
// last few seconds.
type buckets struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	m       map[clientKey]*bucket
	sweepAt int
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newBuckets(rate, burst float64) *buckets {
	return &buckets{rate: rate, burst: max(burst, 1), m: map[clientKey]*bucket{}, sweepAt: 1024}
}

// take takes a token of key's bucket at now; it returns 0 when one was
// there, else how long until one is.
func (b *buckets) take(key clientKey, now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := b.m[key]
	if k == nil {
		if len(b.m) >= b.sweepAt {
			b.sweep(now)
		}
		k = &bucket{tokens: b.burst, at: now}
		b.m[key] = k
	}
	k.tokens = min(b.burst, k.tokens+now.Sub(k.at).Seconds()*b.rate)
	k.at = now
	if k.tokens < 1 {
		return time.Duration((1 - k.tokens) / b.rate * float64(time.Second))
	}
	k.tokens--
	return 0
}

// sweep forgets the buckets that are full again at now; the next sweep
// comes when the map has doubled. b.mu is held.
func (b *buckets) sweep(now time.Time) {
	for key, k := range b.m {
		if k.tokens+now.Sub(k.at).Seconds()*b.rate >= b.burst {
			delete(b.m, key)
		}
	}
	b.sweepAt = max(1024, 2*len(b.m))
}
