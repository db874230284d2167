package main

import (
	"log/slog"
	"net/netip"
	"net/url"
	"sync"
	"sync/atomic"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/ingest"
)

// proxyWarning is what an operator reads when a reverse proxy seems to be in
// front of the collector and its address is not trusted.
const proxyWarning = "requests come from one private or loopback address and no trusted_proxies are set: " +
	"behind a reverse proxy every visitor then shares one rate-limit bucket and one anonymous-mode hash; " +
	"set trusted_proxies (--trusted-proxies, ASHIATO_TRUSTED_PROXIES) to the proxy's addresses"

// sameAddressRequests is how many requests in a row from one private
// address make the collector believe a proxy is in front.
const sameAddressRequests = 1000

// proxyWarner detects, without trusted proxies configured, that every
// request arrives from one private or loopback address (a reverse proxy
// whose X-Forwarded-For is ignored), and logs that once. After it decided,
// a request costs one atomic load.
type proxyWarner struct {
	log  *slog.Logger
	done atomic.Bool

	mu   sync.Mutex
	peer netip.Addr
	n    int
}

// warnAtStart logs the warning at start when the collector listens on a
// private or loopback address under a public URL on another host, which
// means a proxy forwards to it, and no trusted proxies are configured.
func warnAtStart(cfg config.Config, log *slog.Logger) {
	if len(cfg.Enrich.TrustedProxies) > 0 || cfg.PublicURL == "" {
		return
	}
	u, err := url.Parse(cfg.PublicURL)
	if err != nil || u.Hostname() == "" {
		return
	}
	if pub, err := netip.ParseAddr(u.Hostname()); err == nil && (pub.IsLoopback() || pub.IsPrivate()) {
		return
	}
	if u.Hostname() == "localhost" {
		return
	}
	listen, err := netip.ParseAddrPort(cfg.Listen)
	if err != nil || !(listen.Addr().IsLoopback() || listen.Addr().IsPrivate()) {
		return
	}
	log.Warn(proxyWarning, "listen", cfg.Listen, "public_url", cfg.PublicURL)
}

// handler returns the middleware; nil-cost when trusted proxies are set.
func (w *proxyWarner) handler(cfg config.Config) fiber.Handler {
	if len(cfg.Enrich.TrustedProxies) > 0 {
		w.done.Store(true)
	}
	return func(c *fiber.Ctx) error {
		if !w.done.Load() {
			w.observe(ingest.RemoteAddr(c).Unmap(), len(c.Request().Header.Peek(fiber.HeaderXForwardedFor)) > 0)
		}
		return c.Next()
	}
}

// observe counts one request from peer; forwarded says it carried
// X-Forwarded-For (a proxy's header, which is ignored from this peer).
func (w *proxyWarner) observe(peer netip.Addr, forwarded bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done.Load() {
		return
	}
	if !(peer.IsLoopback() || peer.IsPrivate()) || (w.n > 0 && peer != w.peer) {
		w.done.Store(true) // visitors reach the collector directly
		return
	}
	w.peer = peer
	w.n++
	if forwarded || w.n >= sameAddressRequests {
		w.done.Store(true)
		w.log.Warn(proxyWarning, "requests", w.n, "x_forwarded_for", forwarded)
	}
}
