package ingest

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// forwardedOriginHeaders are the headers Fiber reads for the scheme and
// host of a request from a trusted proxy.
var forwardedOriginHeaders = []string{
	fiber.HeaderXForwardedHost, fiber.HeaderXForwardedProto, fiber.HeaderXForwardedProtocol,
	fiber.HeaderXForwardedSsl, fiber.HeaderXUrlScheme,
}

// TrustProxies makes cfg's c.Hostname and c.Protocol believe X-Forwarded-Host
// and X-Forwarded-Proto only from proxies (the trusted_proxies setting):
// from any other peer they are ignored. Fiber's c.IP is not used; the
// client address has its own rule (enrich.ClientIP).
func TrustProxies(cfg *fiber.Config, proxies []netip.Prefix) {
	cfg.EnableTrustedProxyCheck = true
	cfg.TrustedProxies = make([]string, len(proxies))
	for i, p := range proxies {
		cfg.TrustedProxies[i] = p.String() // always a range: Fiber matches single addresses by their text
	}
}

// Origin is the collector's origin for the absolute URLs it hands out
// (unsubscribe links, a policy URL that is one of its pages), without a
// trailing slash: publicURL when it is set, else the request's scheme and
// host. The Host header names the origin the client connected to; the
// forwarded scheme and host count only from a trusted proxy (TrustProxies),
// and the answer then varies with them, which Origin says in Vary.
func Origin(c *fiber.Ctx, publicURL string) string {
	if publicURL != "" {
		return strings.TrimRight(publicURL, "/")
	}
	if c.IsProxyTrusted() {
		for _, h := range forwardedOriginHeaders {
			c.Vary(h)
		}
	}
	return c.Protocol() + "://" + c.Hostname() // a new string: safe to keep
}
