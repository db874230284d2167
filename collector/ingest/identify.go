package ingest

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/consent"
)

// Limits of POST /api/identify.
const (
	MaxUserIDLen = 256
	MaxTraits    = 32
)

// Linker joins a visitor ID to an authenticated user ID with traits.
type Linker interface {
	// Link returns a consent_required *collector.Error when the grant was
	// superseded by a later decision of the visitor.
	Link(ctx context.Context, site *collector.Site, g *collector.Grant, userID string, traits map[string]string) error
}

// IdentifyHandler serves POST /api/identify: the join of a visitor ID to
// a user ID, made only when the visitor's current consent unlocks the
// user-ID join.
type IdentifyHandler struct {
	Sites    *Sites
	Verifier Verifier
	Gate     *consent.Gate // whether the grant counts (consent.Gate.Standing)
	Linker   Linker
	Log      *slog.Logger
	Now      func() time.Time
}

// Register mounts the endpoint on api, the router of /api.
func (h *IdentifyHandler) Register(api fiber.Router) {
	api.Post("/identify", h.identify)
}

type identifyRequest struct {
	Site string `json:"site"`
	// Assertion is the site back end's signed word for the user ID
	// (consent.VerifyAssertion); required unless the site allows unsigned
	// identify, when UserID alone names the user.
	Assertion string         `json:"assertion"`
	UserID    string         `json:"user_id"`
	Traits    map[string]any `json:"traits"`
	Consent   string         `json:"consent"`
}

func (h *IdentifyHandler) identify(c *fiber.Ctx) error {
	var req identifyRequest
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
	now := h.Now()
	userID, e := assertedUserID(site, &req, now)
	if e != nil {
		return WriteError(c, e)
	}
	traits, e := validTraits(req.Traits)
	if e != nil {
		return WriteError(c, e)
	}
	g := firstValidGrant(h.Verifier, now, req.Consent, c.Cookies(CookieName))
	pol := h.Gate.Decide(site, g, c.Get("Sec-GPC") == "1", now)
	if !pol.Caps.Has(collector.CapUserIDJoin) || g.VisitorID == "" {
		return WriteError(c, collector.Errorf(collector.EConsentRequired, "consent", "the visitor's consent does not allow joining a user ID"))
	}
	if err := h.Linker.Link(c.UserContext(), site, g, strings.Clone(userID), traits); err != nil {
		if collector.ErrorCode(err) == collector.EConsentRequired {
			return WriteError(c, err)
		}
		h.Log.Error("link identity", "site", site.ID, "err", err)
		return WriteError(c, collector.Errorf(collector.EUnavailable, "", "could not store the link, retry later"))
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"linked": true})
}

// assertedUserID returns the user ID that the request may join: the
// subject of a valid assertion signed with the site's identify key (a
// user_id sent beside it must be the same), or, only on a site that opts
// in to unsigned identify, the user_id as sent. The snippet's
// identify(assertion, traits) sends the assertion as user_id: a JWT there
// is taken for one, unless the site takes unsigned IDs and has no key.
func assertedUserID(site *collector.Site, req *identifyRequest, now time.Time) (string, *collector.Error) {
	token, userID := req.Assertion, req.UserID
	if token == "" && looksLikeJWT(userID) && (site.IdentifyKey != "" || !site.AllowUnsignedIdentify) {
		token, userID = userID, ""
	}
	if token == "" {
		if !site.AllowUnsignedIdentify {
			return "", collector.Errorf(collector.EAssertionRequired, "assertion", "the site's back end must sign the user ID")
		}
		return userID, validUserID(userID)
	}
	a, err := consent.VerifyAssertion([]byte(site.IdentifyKey), token, site.ID, "", now)
	switch {
	case err != nil:
		return "", collector.Errorf(collector.EAssertionInvalid, "assertion", "%v", err)
	case userID != "" && userID != a.Subject:
		return "", collector.Errorf(collector.EInvalid, "user_id", "differs from the assertion's subject")
	}
	return a.Subject, validUserID(a.Subject)
}

// looksLikeJWT reports whether s has the shape of a compact JWT: three
// dot-separated segments, the first a base64url JSON object.
func looksLikeJWT(s string) bool {
	return strings.HasPrefix(s, "eyJ") && strings.Count(s, ".") == 2
}

func validUserID(s string) *collector.Error {
	if s == "" || len(s) > MaxUserIDLen || !utf8.ValidString(s) {
		return collector.Errorf(collector.EInvalid, "user_id", "want 1 to %d bytes of UTF-8", MaxUserIDLen)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return collector.Errorf(collector.EInvalid, "user_id", "control characters not allowed")
		}
	}
	return nil
}

func validTraits(in map[string]any) (map[string]string, *collector.Error) {
	if len(in) > MaxTraits {
		return nil, collector.Errorf(collector.EInvalid, "traits", "at most %d traits", MaxTraits)
	}
	out := make(map[string]string, len(in))
	for k, v := range in {
		if k == "" || len(k) > collector.MaxPropKeyLen {
			return nil, collector.Errorf(collector.EInvalid, "traits", "trait names have 1 to %d bytes", collector.MaxPropKeyLen)
		}
		s, ok := collector.PropValue(v)
		if !ok || len(s) > collector.MaxPropValueLen {
			return nil, collector.Errorf(collector.EInvalid, "traits."+k, "want a string, number or boolean of at most %d bytes", collector.MaxPropValueLen)
		}
		out[k] = s
	}
	return out, nil
}
