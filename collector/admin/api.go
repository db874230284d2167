package admin

import (
	"bufio"
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/audience"
	"github.com/ashiato/ashiato/collector/ingest"
	"github.com/ashiato/ashiato/collector/interest"
	"github.com/ashiato/ashiato/collector/lookalike"
	"github.com/ashiato/ashiato/collector/preferences"
	"github.com/ashiato/ashiato/collector/privacy"
	"github.com/ashiato/ashiato/collector/requests"
	"github.com/ashiato/ashiato/collector/stats"
	"github.com/ashiato/ashiato/collector/store"
)

// Prefix is where the admin API lives.
const Prefix = "/admin/api"

// API serves the admin API. Every route requires a token with its scope
// and writes an audit row, allowed or refused.
type API struct {
	Tokens    *Tokens
	Store     *store.Store
	Privacy   *privacy.Service
	Retention *privacy.Retention
	Stats     *stats.Engine      // the engine of /stats/{report} and ashiato query
	Audiences *audience.Service  // segments: list, create, preview, export
	Interests *interest.Service  // interest profiles, computed on read
	Lookalike *lookalike.Service // look-alike segment builds
	// Preferences and Requests: customers' notice preferences (the
	// mailer's check and lists) and requests for disclosure, stop, erasure.
	Preferences *preferences.Service
	Requests    *requests.Service
	Log         *slog.Logger
	// Auditor batches the audit rows; nil writes each row at once.
	Auditor *Auditor
	// AuthLimit refuses addresses with too many failed authentications;
	// ClientIP resolves a request's address (trusted proxies only). Both
	// nil: no limit.
	AuthLimit *AuthLimiter
	ClientIP  func(c *fiber.Ctx) netip.Addr
	// PublicURL is the collector's public origin (public_url): the
	// unsubscribe links are made with it (ingest.Origin).
	PublicURL string
}

// Route is one admin route and the scope it requires.
type Route struct {
	Method, Path string // Path below Prefix
	Scope        string
	Action       string // the audit log's name for it
	handler      fiber.Handler
}

// Routes returns every admin route.
func (a *API) Routes() []Route {
	return []Route{
		{"GET", OpenAPIPath, ScopeQuery, "openapi", serveOpenAPI},
		{"GET", "/query/:name", ScopeQuery, "query", a.query},
		{"GET", "/stats/daily", ScopeQuery, "stats.daily", a.dailyStats},
		{"GET", "/stats/:report", ScopeQuery, "stats", a.stats},
		{"GET", "/audiences/:audience/members", ScopeExport, "audience.members", a.audienceMembers},
		{"GET", "/segments", ScopeQuery, "segments.list", a.segments},
		{"POST", "/segments", ScopeExport, "segments.create", a.createSegment},
		{"GET", "/segments/:name", ScopeQuery, "segments.show", a.segment},
		{"GET", "/segments/:name/preview", ScopeExport, "segments.preview", a.previewSegment},
		{"GET", "/segments/:name/export", ScopeExport, "segments.export", a.exportSegment},
		{"POST", "/segments/:name/lookalike", ScopeExport, "segments.lookalike", a.lookalike},
		{"GET", "/partner-stats/:report", ScopeQuery, "stats.partner", a.partnerStats},
		{"GET", "/interests", ScopeExport, "interests.query", a.interests},
		{"GET", "/privacy/export", ScopeExport, "privacy.export", a.export},
		{"POST", "/privacy/erase", ScopePrivacy, "privacy.erase", a.erase},
		{"POST", "/privacy/stop", ScopePrivacy, "privacy.stop", a.stop},
		{"POST", "/privacy/resume", ScopePrivacy, "privacy.resume", a.resume},
		{"GET", "/privacy/receipts", ScopePrivacy, "privacy.receipts", a.receipts},
		{"GET", "/consent/:id/proof", ScopePrivacy, "consent.proof", a.consentProof},
		{"GET", "/preferences/check", ScopePreferences, "preferences.check", a.checkPreference},
		{"GET", "/preferences/export", ScopePreferences, "preferences.export", a.exportPreferences},
		{"POST", "/preferences/links", ScopePreferences, "preferences.link", a.unsubscribeLink},
		{"POST", "/preferences", ScopePrivacy, "preferences.set", a.setPreference},
		{"GET", "/requests", ScopePrivacy, "requests.list", a.listRequests},
		{"POST", "/requests", ScopePrivacy, "requests.file", a.fileRequest},
		{"GET", "/requests/:id", ScopePrivacy, "requests.show", a.showRequest},
		{"POST", "/requests/:id/advance", ScopePrivacy, "requests.advance", a.advanceRequest},
		{"POST", "/retention/run", ScopeAdmin, "retention.run", a.retentionRun},
		{"GET", "/tokens", ScopeAdmin, "tokens.list", a.listTokens},
		{"POST", "/tokens", ScopeAdmin, "tokens.create", a.createToken},
		{"DELETE", "/tokens/:id", ScopeAdmin, "tokens.revoke", a.revokeToken},
		{"GET", "/audit", ScopeAdmin, "audit.list", a.auditLog},
	}
}

// Register mounts every route on app, each behind its guard.
func (a *API) Register(app *fiber.App) {
	for _, r := range a.Routes() {
		app.Add(r.Method, Prefix+r.Path, a.guard(r), r.handler)
	}
}

// Locals keys by which handlers add to their audit row.
const (
	localSite    = "admin.site"
	localSubject = "admin.subject"
	localDetail  = "admin.detail"
	localToken   = "admin.token"
)

// guard authenticates the request's bearer token, checks its scope, runs
// the handler and writes the audit row.
func (a *API) guard(r Route) fiber.Handler { return a.guarded(r, a.bearerToken) }

// bearerToken authenticates the "Authorization: Bearer" token; a wrong
// one counts against the address's failures.
func (a *API) bearerToken(c *fiber.Ctx, ip netip.Addr) (*store.Token, error) {
	tok, err := a.Tokens.Authenticate(c.UserContext(), bearer(c))
	if err != nil && a.AuthLimit != nil && collector.ErrorCode(err) == collector.EUnauthorized {
		a.AuthLimit.Fail(ip)
	}
	return tok, err
}

// guarded is guard with the authentication auth (a bearer token, or the
// dashboard's session cookie): the failure limit, the scope check and the
// audit row are the same for both.
func (a *API) guarded(r Route, auth func(c *fiber.Ctx, ip netip.Addr) (*store.Token, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		e := store.AuditEntry{TS: time.Now(), Actor: "anonymous", Action: r.Action, Method: r.Method, Path: strings.Clone(c.Path())}
		ctx := c.UserContext()
		var ip netip.Addr
		if a.AuthLimit != nil {
			ip = a.ClientIP(c)
			if wait, blocked := a.AuthLimit.Blocked(ip); blocked {
				// Refused before the token check and without an audit row:
				// a guessing flood costs neither ClickHouse nor the log.
				c.Set(fiber.HeaderRetryAfter, ingest.RetryAfterSeconds(wait))
				return ingest.WriteError(c, collector.Errorf(collector.ERateLimited, "", "too many failed authentications from this address"))
			}
		}
		tok, err := auth(c, ip)
		if err == nil {
			e.Actor = "token:" + tok.ID
			if !Allows(tok.Scopes, r.Scope) {
				err = collector.Errorf(collector.EForbidden, "scope", "this token lacks the %s scope", r.Scope)
			}
		}
		if err != nil {
			werr := ingest.WriteError(c, err)
			e.Status = c.Response().StatusCode()
			a.audit(ctx, e)
			return werr
		}
		c.Locals(localToken, tok)
		herr := c.Next()
		e.Status = c.Response().StatusCode()
		if herr != nil {
			e.Status = ingest.Status(collector.ErrorCode(herr))
		}
		e.SiteID, _ = c.Locals(localSite).(string)
		e.Subject, _ = c.Locals(localSubject).(string)
		e.Detail, _ = c.Locals(localDetail).(string)
		a.audit(ctx, e)
		return herr
	}
}

func (a *API) audit(ctx context.Context, e store.AuditEntry) {
	if a.Auditor != nil {
		a.Auditor.Add(e)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := a.Store.Audit(ctx, e); err != nil {
		a.Log.Error("write audit row", "action", e.Action, "err", err)
	}
}

// bearer returns the token of an "Authorization: Bearer …" header.
func bearer(c *fiber.Ctx) string {
	h := c.Get(fiber.HeaderAuthorization)
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

func actor(c *fiber.Ctx) string {
	if t, ok := c.Locals(localToken).(*store.Token); ok {
		return "token:" + t.ID
	}
	return "anonymous"
}

// streamTimeout bounds a streamed answer (exports), which outlives the
// handler and so the request's context.
const streamTimeout = 30 * time.Minute

// stream answers with a body written by fn after the handler returns.
func stream(c *fiber.Ctx, log *slog.Logger, what string, fn func(ctx context.Context, w *bufio.Writer) error) {
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), streamTimeout)
		defer cancel()
		if err := fn(ctx, w); err != nil {
			log.Error("stream "+what, "err", err)
		}
		w.Flush()
	})
}
