package ingest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/consent"
)

// VisitorRights is what the self-service privacy API needs: a visitor's
// own data, authenticated by their consent token.
type VisitorRights interface {
	// VisitorSummary returns the visitor's consent history, identity links
	// and privacy state, ready to encode as JSON.
	VisitorSummary(ctx context.Context, site, visitorID string) (any, error)
	// ExportVisitor writes everything kept about the visitor (json) or
	// their events (csv) to w.
	ExportVisitor(ctx context.Context, site, visitorID, format string, w io.Writer) error
	// EraseVisitor starts the erasure of the visitor and returns its
	// request ID at once; the erasure completes in the background.
	EraseVisitor(ctx context.Context, site, visitorID string) (string, error)
}

// RightsHandler serves the visitor self-service privacy API, which the
// banner's second layer calls: consent history, download, erasure.
type RightsHandler struct {
	Sites    *Sites
	Verifier Verifier
	Gate     *consent.Gate // whether the grant still names its visitor (consent.Standing.OwnData)
	Rights   VisitorRights
	Log      *slog.Logger
	Now      func() time.Time
}

// Register mounts the endpoints on api, the router of /api.
func (h *RightsHandler) Register(api fiber.Router) {
	api.Get("/privacy/me", h.summary)
	api.Get("/privacy/me/export", h.export)
	api.Post("/privacy/me/erase", h.erase)
}

// BearerToken returns the token of the request's "Authorization: Bearer"
// header, or "". A consent token travels there (or in a POST body, or the
// first-party cookie), never in the URL, where logs, proxies and the
// Referer header would keep it: ?token= is not read.
func BearerToken(c *fiber.Ctx) string {
	v := c.Get(fiber.HeaderAuthorization)
	if len(v) > 7 && strings.EqualFold(v[:7], "Bearer ") {
		return strings.TrimSpace(v[7:])
	}
	return ""
}

// visitor authenticates the visitor: a valid consent token of site (from
// the Authorization header, the body's "consent" or the first-party
// cookie) that carries a visitor ID. It sets CORS headers for an allowed
// Origin.
func (h *RightsHandler) visitor(c *fiber.Ctx, siteID, bodyToken string) (*collector.Site, string, error) {
	site, err := h.Sites.ForRequest(c, siteID)
	if err != nil {
		return nil, "", err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	for _, t := range []string{BearerToken(c), bodyToken, c.Cookies(CookieName)} {
		if t == "" {
			continue
		}
		if g, err := h.Verifier.Verify(t, h.Now()); err == nil && h.Gate.Standing(site, g, h.Now()).OwnData() && g.VisitorID != "" {
			return site, strings.Clone(g.VisitorID), nil
		}
	}
	return nil, "", collector.Errorf(collector.EUnauthorized, "consent", "no consent token with a visitor ID for this site")
}

func (h *RightsHandler) summary(c *fiber.Ctx) error {
	site, vid, err := h.visitor(c, c.Query("site"), "")
	if err != nil {
		return WriteError(c, err)
	}
	out, err := h.Rights.VisitorSummary(c.UserContext(), site.ID, vid)
	if err != nil {
		h.Log.Error("visitor summary", "err", err)
		return WriteError(c, collector.Errorf(collector.EUnavailable, "", "storage unavailable, retry later"))
	}
	return c.JSON(out)
}

func (h *RightsHandler) export(c *fiber.Ctx) error {
	site, vid, err := h.visitor(c, c.Query("site"), "")
	if err != nil {
		return WriteError(c, err)
	}
	format := c.Query("format", "json")
	if format != "json" && format != "csv" {
		return WriteError(c, collector.Errorf(collector.EInvalid, "format", "want json or csv"))
	}
	if format == "csv" {
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	} else {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	}
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="my-data-%s.%s"`, site.ID, format))
	siteID := site.ID
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if err := h.Rights.ExportVisitor(ctx, siteID, vid, format, w); err != nil {
			h.Log.Error("visitor export", "err", err)
		}
		w.Flush()
	})
	return nil
}

func (h *RightsHandler) erase(c *fiber.Ctx) error {
	var body struct {
		Site    string `json:"site"`
		Consent string `json:"consent"`
	}
	raw, err := RequestBody(c)
	if err != nil {
		return WriteError(c, err)
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return WriteError(c, jsonError(err))
	}
	site, vid, err := h.visitor(c, body.Site, body.Consent)
	if err != nil {
		return WriteError(c, err)
	}
	id, err := h.Rights.EraseVisitor(c.UserContext(), site.ID, vid)
	if err != nil {
		h.Log.Error("visitor erasure", "err", err)
		return WriteError(c, collector.Errorf(collector.EUnavailable, "", "could not start the erasure, retry later"))
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"request_id": id, "status": "accepted"})
}
