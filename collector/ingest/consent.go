package ingest

import (
	"cmp"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/consent"
)

// Ledger records consent decisions durably: Record returns once the entry
// is on disk (the ledger stores it in ClickHouse exactly once later), or a
// *collector.Error to answer.
type Ledger interface {
	Record(ctx context.Context, e consent.Entry) error
}

// Signer issues and verifies consent tokens.
type Signer interface {
	Verifier
	Sign(g collector.Grant) string
}

// ConsentHandler serves the consent endpoints: the banner's configuration,
// recording decisions into the ledger and reading the current decision.
type ConsentHandler struct {
	Sites   *Sites
	Signer  Signer
	Gate    *consent.Gate // whether a grant counts; told of every decision recorded
	Ledger  Ledger
	UA      Enricher
	Configs map[string]consent.BannerConfig // by site ID, built at start
	// OnDecision runs after a decision is recorded and before the answer:
	// what the decision changes in memory at once (a withdrawal's identity
	// links stop being joined). The ledger applies the rest once the
	// decision is stored.
	OnDecision func(e consent.Entry)
	// ErasedVisitor reports whether a visitor ID was erased; an erased ID is
	// never issued again, so a new decision starts a new subject.
	ErasedVisitor func(site, visitorID string) bool
	// PublicURL is the collector's public origin (public_url): a policy
	// URL that is a path is made absolute with it (Origin).
	PublicURL string
	Log       *slog.Logger
	Now       func() time.Time
}

// Register mounts the consent endpoints on api, the router of /api.
func (h *ConsentHandler) Register(api fiber.Router) {
	api.Get("/consent/config", h.config)
	api.Post("/consent", h.record)
	api.Get("/consent", h.current)
}

func (h *ConsentHandler) config(c *fiber.Ctx) error {
	site, err := h.Sites.ForRequest(c, c.Query("site"))
	if err != nil {
		return WriteError(c, err)
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	cfg := h.Configs[site.ID]
	// A policy URL that is a path ("/privacy/demo/external") is one of the
	// collector's pages: the banner shows it on another origin, so it gets
	// the collector's origin. (The texts hash covers the configured value.)
	if strings.HasPrefix(cfg.PolicyURL, "/") && !strings.HasPrefix(cfg.PolicyURL, "//") {
		cfg.PolicyURL = Origin(c, h.PublicURL) + cfg.PolicyURL
	}
	return c.JSON(cfg)
}

// decisionRequest is the body of POST /api/consent.
type decisionRequest struct {
	Site      string   `json:"site"`
	Granted   []string `json:"granted"`
	Method    string   `json:"method"`
	Revision  int      `json:"revision"`
	TextsHash string   `json:"texts_hash"`
	Lang      string   `json:"lang"`
	GPC       bool     `json:"gpc"`
}

// decisionResponse is the answer to POST and GET /api/consent.
type decisionResponse struct {
	ConsentID string    `json:"consent_id"`
	Token     string    `json:"token,omitempty"`
	VID       string    `json:"vid,omitempty"`
	Granted   []string  `json:"granted"`
	Denied    []string  `json:"denied"`
	Revision  int       `json:"revision"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (h *ConsentHandler) record(c *fiber.Ctx) error {
	corsForAllowed(c, h.Sites)
	var req decisionRequest
	raw, err := RequestBody(c)
	if err != nil {
		return WriteError(c, err)
	}
	if err := json.Unmarshal(raw, &req); err != nil {
		return WriteError(c, jsonError(err))
	}
	site, err := h.Sites.ForRequest(c, req.Site)
	if err != nil {
		return WriteError(c, err)
	}
	cfg := h.Configs[site.ID]
	now := h.Now()
	switch {
	case req.Method == consent.MethodAPI:
		if e := apiCaller(c, site, now); e != nil {
			return WriteError(c, e)
		}
		if req.Revision > cfg.Revision {
			return WriteError(c, collector.Errorf(collector.EInvalid, "revision", "the current revision is %d", cfg.Revision))
		}
	case !consent.ValidMethod(req.Method):
		return WriteError(c, collector.Errorf(collector.EInvalid, "method", "unknown method"))
	case req.Revision != cfg.Revision:
		return WriteError(c, collector.Errorf(collector.EInvalid, "revision", "the banner showed revision %d; the current one is %d", req.Revision, cfg.Revision))
	case req.TextsHash != cfg.TextsHash:
		return WriteError(c, collector.Errorf(collector.EInvalid, "texts_hash", "does not match the texts of the current revision"))
	}
	switch {
	case len(req.TextsHash) > 128:
		return WriteError(c, collector.Errorf(collector.EInvalid, "texts_hash", "too long"))
	case req.Revision < 0:
		return WriteError(c, collector.Errorf(collector.EInvalid, "revision", "negative"))
	case len(req.Lang) > 35:
		return WriteError(c, collector.Errorf(collector.EInvalid, "lang", "too long"))
	}
	for _, p := range req.Granted {
		if site.Purpose(p) == nil {
			return WriteError(c, collector.Errorf(collector.EInvalid, "granted", "unknown purpose"))
		}
	}
	prev := h.currentGrant(c, now)
	if prev != nil && prev.VisitorID != "" && h.ErasedVisitor != nil && h.ErasedVisitor(site.ID, prev.VisitorID) {
		fresh := *prev
		fresh.VisitorID = ""
		prev = &fresh
	}
	gpc := req.GPC || c.Get("Sec-GPC") == "1"
	d, g := consent.NewDecision(site, req.Granted, req.Method, gpc, prev, now)
	d.TextsHash, d.Lang = cfg.TextsHash, req.Lang
	if req.Method == consent.MethodAPI {
		// The ledger keeps what the caller says was presented (revision 0:
		// no banner), never the banner's texts as if they had been shown.
		d.TextsHash, d.Revision = cmp.Or(req.TextsHash, consent.MethodAPI), req.Revision
	}
	if info, ok := h.UA.UACached(c.Get(fiber.HeaderUserAgent)); ok {
		d.UAFamily = info.Browser
	}
	e := consent.Entry{Decision: d}
	if prev != nil && prev.Site == site.ID {
		e.Replaces, e.ReplacesExpiresAt = prev.ConsentID, prev.ExpiresAt
		if prev.VisitorID != d.VisitorID {
			e.PrevVisitorID = prev.VisitorID
		}
		if prev.VisitorID == "" {
			// Nothing but its consent ID ties the replaced decision to this
			// one: revoke that ID itself, on every instance.
			e.Revokes, e.RevokesExpiresAt = prev.ConsentID, prev.ExpiresAt
		}
	}
	if err := h.Ledger.Record(c.UserContext(), e); err != nil {
		// A full or failing spool is counted by the ledger's metrics and
		// answered 503; only the unexpected is logged (no flood per request).
		if _, ok := err.(*collector.Error); !ok {
			h.Log.Error("record consent decision", "err", err)
		}
		return WriteError(c, err)
	}
	h.Gate.Apply(e)
	if h.OnDecision != nil {
		h.OnDecision(e)
	}
	token := h.Signer.Sign(g)
	h.setCookie(c, token, g.ExpiresAt.Sub(now))
	return c.JSON(decisionResponse{
		ConsentID: d.ConsentID, Token: token, VID: g.VisitorID,
		Granted: d.Granted, Denied: d.Denied, Revision: d.Revision, ExpiresAt: d.ExpiresAt,
	})
}

func (h *ConsentHandler) current(c *fiber.Ctx) error {
	site, err := h.Sites.ForRequest(c, c.Query("site"))
	if err != nil {
		return WriteError(c, err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	now := h.Now()
	g := h.currentGrant(c, now)
	if h.Gate.Standing(site, g, now) != consent.Current {
		return WriteError(c, collector.Errorf(collector.ENotFound, "", "no decision recorded"))
	}
	var denied []string
	for _, p := range site.Purposes {
		if !slices.Contains(g.Purposes, p.ID) {
			denied = append(denied, p.ID)
		}
	}
	return c.JSON(decisionResponse{
		ConsentID: g.ConsentID, VID: g.VisitorID, Granted: g.Purposes, Denied: denied,
		Revision: g.Revision, ExpiresAt: g.ExpiresAt,
	})
}

// apiCaller authenticates a "method": "api" decision: only the site's back
// end records one, with "Authorization: Bearer <JWT>" signed with the
// site's identify key and scoped consent.ScopeConsent (so that an identify
// assertion, which browsers see, cannot serve).
func apiCaller(c *fiber.Ctx, site *collector.Site, now time.Time) *collector.Error {
	token := BearerToken(c)
	if token == "" {
		return collector.Errorf(collector.EUnauthorized, "authorization", "API decisions need the site's signed credential (Bearer)")
	}
	if _, err := consent.VerifyAssertion([]byte(site.IdentifyKey), token, site.ID, consent.ScopeConsent, now); err != nil {
		return collector.Errorf(collector.EUnauthorized, "authorization", "%v", err)
	}
	return nil
}

// currentGrant is the visitor's verified decision, from the Authorization
// header (BearerToken) or the cookie; never from the URL.
func (h *ConsentHandler) currentGrant(c *fiber.Ctx, now time.Time) *collector.Grant {
	return firstValidGrant(h.Signer, now, BearerToken(c), c.Cookies(CookieName))
}

// setCookie sets the first-party consent cookie from the server, so that
// browsers that cap script-written cookies (Safari: 7 days) keep it for the
// configured lifetime.
func (h *ConsentHandler) setCookie(c *fiber.Ctx, token string, maxAge time.Duration) {
	secure := c.Protocol() == "https" || strings.EqualFold(c.Get("X-Forwarded-Proto"), "https")
	c.Cookie(&fiber.Cookie{
		Name: CookieName, Value: token, Path: "/", MaxAge: int(maxAge.Seconds()),
		HTTPOnly: true, Secure: secure, SameSite: fiber.CookieSameSiteLaxMode,
	})
}
