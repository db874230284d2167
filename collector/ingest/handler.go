// Package ingest is the HTTP stage: Fiber handlers that decode and validate
// hits, run them through the consent gate and enrichment, and hand the
// events to a Sink (the durable spool). Errors are mapped to HTTP status in
// errors.go only.
package ingest

import (
	"context"
	"log/slog"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/consent"
)

// Sink receives the events of one request. It returns nil only when the
// events are safe (durably spooled); errors are *collector.Error with code
// EOverloaded or EUnavailable. evs belong to the request: Submit must not
// keep them (or pointers into them) after it returns.
type Sink interface {
	Submit(ctx context.Context, evs []collector.Event) error
}

// Verifier verifies consent tokens.
type Verifier interface {
	Verify(token string, now time.Time) (*collector.Grant, error)
}

// IPResolver finds the client IP, honouring X-Forwarded-For only from
// trusted proxies.
type IPResolver interface {
	ClientIP(remote netip.Addr, xForwardedFor string) netip.Addr
}

// Identities looks up the user ID linked to a visitor of a site.
type Identities interface {
	UserID(site, visitorID string) string
}

// CookieName is the first-party cookie that carries the consent token.
const CookieName = "ashiato_consent"

// Handler serves the browser-facing endpoints.
type Handler struct {
	Sites    *Sites
	Verifier Verifier
	// Gate decides whether a verified grant counts (nil: the grant alone
	// is checked, no revocations).
	Gate     *consent.Gate
	Enricher Enricher
	IPs      IPResolver
	Hasher   Hasher
	// Identities joins the authenticated user ID linked to a visitor ID
	// (nil: none). The consent gate still decides whether it is kept.
	Identities Identities
	Sink       Sink
	Metrics    *Metrics
	Log        *slog.Logger
	Now        func() time.Time
}

// Register mounts the event endpoints on api, the router of /api.
func (h *Handler) Register(api fiber.Router) {
	api.Options("/*", h.preflight)
	api.Post("/event", h.postEvent)
	api.Get("/event.gif", h.getGIF)
}

// request gathers what the pipeline needs from the HTTP request. Values are
// copied out of Fiber's reused buffers only where they outlive the handler.
func (h *Handler) request(c *fiber.Ctx) collector.Request {
	return collector.Request{
		ClientIP:   h.IPs.ClientIP(RemoteAddr(c), ForwardedFor(c)),
		UserAgent:  c.Get(fiber.HeaderUserAgent),
		GPC:        c.Get("Sec-GPC") == "1",
		Cookie:     c.Cookies(CookieName),
		ReceivedAt: h.Now().UTC(),
	}
}

// RemoteAddr is the TCP peer's address (the zero Addr when it has none).
func RemoteAddr(c *fiber.Ctx) netip.Addr {
	a, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	return a
}

// ForwardedFor joins every X-Forwarded-For header line (a proxy may add its
// own line rather than extend the first): the trusted-proxy walk needs the
// whole chain.
func ForwardedFor(c *fiber.Ctx) string {
	lines := c.Request().Header.PeekAll(fiber.HeaderXForwardedFor)
	switch len(lines) {
	case 0:
		return ""
	case 1:
		return string(lines[0])
	}
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = string(l)
	}
	return strings.Join(parts, ",")
}

// Rejection reports one event of a request that was not accepted.
type Rejection struct {
	Index  int    `json:"index"`
	Error  string `json:"error"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Result is the body of a 202 answer.
type Result struct {
	Accepted int         `json:"accepted"`
	Rejected []Rejection `json:"rejected,omitempty"`
}

func (h *Handler) postEvent(c *fiber.Ctx) error {
	h.corsForAllowed(c)
	body, err := RequestBody(c)
	if err != nil {
		h.Metrics.reject(collector.ErrorCode(err), 1) // too_large, unsupported_encoding or a body that does not decode
		return WriteError(c, err)
	}
	if ct := c.Get(fiber.HeaderContentType); ct != "" && !hasPrefixFold(ct, "text/plain") && !hasPrefixFold(ct, "application/json") {
		h.Metrics.reject(collector.EInvalid, 1)
		return WriteError(c, collector.Errorf(collector.EInvalid, "content-type", "want text/plain or application/json"))
	}
	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	hits, bad, derr := decode(body, sc.hit[:])
	if derr != nil {
		h.Metrics.reject(collector.EInvalid, 1)
		return WriteError(c, derr)
	}
	res, first, err := h.process(c, hits, bad, sc)
	if err != nil {
		return WriteError(c, err)
	}
	if res.Accepted == 0 && first != nil {
		c.Status(Status(first.Code))
		return c.JSON(struct {
			ErrorBody
			Result
		}{bodyOf(first), res})
	}
	if len(res.Rejected) == 0 {
		// The common answer, without encoding/json.
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		// SetBody copies b into the response's own (pooled) buffer, so buf
		// stays on the stack; c.Send would keep b itself.
		var buf [32]byte
		b := strconv.AppendInt(append(buf[:0], `{"accepted":`...), int64(res.Accepted), 10)
		c.Status(fiber.StatusAccepted).Response().SetBody(append(b, '}'))
		return nil
	}
	return c.Status(fiber.StatusAccepted).JSON(res)
}

// hasPrefixFold reports whether s begins with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// scratch is the room for one request's hit and event, pooled: a request
// with one event (nearly all of them) then allocates neither. Nothing
// refers to them once the handler has answered: the sink has encoded the
// events into the spool.
type scratch struct {
	hit [1]collector.Hit
	ev  [1]collector.Event

	ctx    *fiber.Ctx
	header func(name string) string // ctx's request header; made once per scratch
}

var scratchPool = sync.Pool{New: func() any {
	s := new(scratch)
	s.header = func(name string) string { return s.ctx.Get(name) }
	return s
}}

// release clears s (so that the pool holds no request data) and pools it.
// The hit's property slice keeps its memory, cleared, for the next request.
func (s *scratch) release() {
	props := s.hit[0].Props[:0]
	clear(props[:cap(props)])
	*s = scratch{header: s.header}
	s.hit[0].Props = props
	scratchPool.Put(s)
}

// process runs hits through validation, the consent gate and enrichment and
// submits the kept events, collected in sc's room for them. It returns the
// per-event result, the first rejection, and an error when the sink refused
// the whole request.
func (h *Handler) process(c *fiber.Ctx, hits []collector.Hit, bad map[int]*collector.Error, sc *scratch) (Result, *collector.Error, error) {
	req := h.request(c)
	origin := c.Get(fiber.HeaderOrigin)
	var res Result
	var first *collector.Error
	reject := func(i int, e *collector.Error) {
		res.Rejected = append(res.Rejected, Rejection{Index: i, Error: e.Code, Field: e.Field, Reason: e.Reason})
		h.Metrics.reject(e.Code, 1)
		if first == nil {
			first = e
		}
	}
	evs := slices.Grow(sc.ev[:0], len(hits))
	sc.ctx = c
	header := sc.header
	// The hits of one request nearly always carry the same token (or
	// none, and the same cookie): verify each distinct one once.
	var grants grantMemo
	for i := range hits {
		if e := bad[i]; e != nil {
			reject(i, e)
			continue
		}
		hit := &hits[i]
		if e := Validate(hit); e != nil {
			reject(i, e)
			continue
		}
		site := h.Sites.Get(hit.Site)
		if site == nil {
			reject(i, collector.Errorf(collector.EUnknownSite, "site", "unknown site"))
			continue
		}
		if origin != "" && !site.AllowsOrigin(origin) {
			reject(i, collector.Errorf(collector.EOriginDenied, "origin", "origin not allowed for site"))
			continue
		}
		g := grants.get(h.Verifier, hit.Consent, req.Cookie, req.ReceivedAt)
		pol := h.Gate.Decide(site, g, req.GPC || hit.GPC, req.ReceivedAt)
		if h.Identities != nil && pol.Grant != nil && pol.Grant.VisitorID != "" {
			hit.UserID = h.Identities.UserID(site.ID, pol.Grant.VisitorID)
		}
		ev, keep, e := Build(hit, site, &req, pol, h.Enricher, h.Hasher, header)
		if e != nil {
			reject(i, e)
			continue
		}
		if !keep {
			h.Metrics.dropped.Inc()
			res.Accepted++ // accepted and dropped by the site's anonymous mode
			continue
		}
		evs = append(evs, ev)
	}
	if len(evs) > 0 {
		if err := h.Sink.Submit(c.UserContext(), evs); err != nil {
			h.Metrics.reject(collector.ErrorCode(err), len(evs))
			return res, first, err
		}
		h.Metrics.accepted.Add(float64(len(evs)))
		res.Accepted += len(evs)
	}
	return res, first, nil
}

// firstValidGrant returns the grant of the first of tokens that verifies,
// or nil. Invalid tokens mean anonymous mode, never an error.
func firstValidGrant(v Verifier, now time.Time, tokens ...string) *collector.Grant {
	for _, t := range tokens {
		if t == "" {
			continue
		}
		if g, err := v.Verify(t, now); err == nil {
			return g
		}
	}
	return nil
}

// grantMemo remembers the last (token, cookie) pair verified for one
// request, so a batch of hits with one token costs one verification.
type grantMemo struct {
	token, cookie string
	grant         *collector.Grant
	done          bool
}

// get returns the grant of the hit's token, falling back to the cookie's.
func (m *grantMemo) get(v Verifier, token, cookie string, now time.Time) *collector.Grant {
	if !m.done || m.token != token || m.cookie != cookie {
		m.token, m.cookie, m.done = token, cookie, true
		m.grant = firstValidGrant(v, now, token, cookie)
	}
	return m.grant
}

func setCORS(c *fiber.Ctx, origin string) {
	c.Set(fiber.HeaderAccessControlAllowOrigin, origin)
	c.Set(fiber.HeaderAccessControlAllowCredentials, "true")
	c.Set(fiber.HeaderAccessControlExposeHeaders, "Retry-After")
	c.Vary(fiber.HeaderOrigin)
}

// corsForAllowed makes every answer, errors included, readable by a page
// whose Origin some site allows, so that the SDK can tell a rejected hit
// (drop it) from a network failure (retry it).
func (h *Handler) corsForAllowed(c *fiber.Ctx) { corsForAllowed(c, h.Sites) }

func corsForAllowed(c *fiber.Ctx, sites *Sites) {
	if origin := c.Get(fiber.HeaderOrigin); origin != "" && sites.AnyAllowsOrigin(origin) {
		setCORS(c, origin)
	}
}

// preflight answers CORS preflights for origins that some site allows; the
// banner's self-service sends its consent token in an Authorization header.
func (h *Handler) preflight(c *fiber.Ctx) error {
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" || !h.Sites.AnyAllowsOrigin(origin) {
		return c.SendStatus(fiber.StatusForbidden)
	}
	setCORS(c, origin)
	c.Set(fiber.HeaderAccessControlAllowMethods, "GET, POST, OPTIONS")
	c.Set(fiber.HeaderAccessControlAllowHeaders, "Content-Type, Authorization")
	c.Set(fiber.HeaderAccessControlMaxAge, "86400")
	return c.SendStatus(fiber.StatusNoContent)
}
