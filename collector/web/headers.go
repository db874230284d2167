package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// htmlPolicy is the Content-Security-Policy of an HTML page: scripts only
// from files (never inline), no framing by other sites, no plugins.
type htmlPolicy struct {
	// Origin is an extra origin the page loads scripts, styles and API
	// calls from (the collector's public URL when it differs from the
	// page's own); empty for none.
	Origin string
	// Scripts allows the page's own script files; pages without scripts
	// get script-src 'none'.
	Scripts bool
}

// String renders the policy as a Content-Security-Policy value.
func (p htmlPolicy) String() string {
	src := "'self'"
	if p.Origin != "" {
		src += " " + p.Origin
	}
	script := "'none'"
	if p.Scripts {
		script = src
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src " + script,
		// Inline styles are data, not code; the banner also sets element styles.
		"style-src " + src + " 'unsafe-inline'",
		"connect-src " + src,
		"img-src " + src + " data:",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
}

// setHTMLHeaders sets what every HTML page of the collector carries: its
// content type, the Content-Security-Policy, no MIME sniffing, no framing
// (also for browsers that only know X-Frame-Options) and a referrer policy
// that sends no path to other origins.
func setHTMLHeaders(c *fiber.Ctx, p htmlPolicy) {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderContentSecurityPolicy, p.String())
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	c.Set(fiber.HeaderReferrerPolicy, "strict-origin-when-cross-origin")
}

// originOf returns the scheme://host[:port] of a URL, or "" when u has no
// http(s) origin.
func originOf(u string) string {
	for _, scheme := range []string{"http://", "https://"} {
		if rest, ok := strings.CutPrefix(u, scheme); ok {
			if i := strings.IndexAny(rest, "/?#"); i >= 0 {
				rest = rest[:i]
			}
			if rest == "" {
				return ""
			}
			return scheme + rest
		}
	}
	return ""
}
