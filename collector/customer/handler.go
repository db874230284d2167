// Package customer serves the preference center's API: a signed-in
// customer's notice preferences, linked devices with their consent
// decisions, data download and requests (collector/preferences,
// collector/requests, collector/privacy), authenticated by a short-lived
// customer token that the site's back end signs with its identify key
// (consent.VerifyAssertion, scope "preferences") and the page sends in the
// Authorization header, never in the URL. It also serves the one-click
// unsubscribe links (unsubscribe.go).
package customer

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/consent"
	"github.com/ashiato/ashiato/collector/ingest"
	"github.com/ashiato/ashiato/collector/preferences"
	"github.com/ashiato/ashiato/collector/privacy"
	"github.com/ashiato/ashiato/collector/requests"
)

// Handler serves /api/preferences and /api/unsubscribe.
type Handler struct {
	Sites       *ingest.Sites
	Preferences *preferences.Service
	Requests    *requests.Service
	Privacy     *privacy.Service
	Log         *slog.Logger
	Now         func() time.Time
	// Budget limits the calls per customer (Budget a minute in the
	// collector); nil: none.
	Budget *ingest.Windows
}

// Budget is how many calls a customer may make a minute.
const Budget = 60

// Register mounts the endpoints on api, the router of /api.
func (h *Handler) Register(api fiber.Router) {
	api.Get("/preferences", h.get)
	api.Post("/preferences", h.set)
	api.Get("/preferences/devices", h.devices)
	api.Post("/preferences/devices/unlink", h.unlink)
	api.Get("/preferences/export", h.export)
	api.Get("/preferences/requests", h.listRequests)
	api.Post("/preferences/requests", h.fileRequest)
	api.Get("/unsubscribe", h.unsubscribePage)
	api.Post("/unsubscribe", h.unsubscribe)
}

// customer authenticates the request: the site (query or body) must allow
// the Origin, and the Authorization header must hold a customer token of
// the site. It returns the site and the user ID the token names.
func (h *Handler) customer(c *fiber.Ctx, siteID string) (*collector.Site, string, error) {
	site, err := h.Sites.ForRequest(c, siteID)
	if err != nil {
		return nil, "", err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	tok := ingest.BearerToken(c)
	if tok == "" {
		return nil, "", collector.Errorf(collector.EUnauthorized, "token", "want a customer token in the Authorization header")
	}
	a, err := consent.VerifyAssertion([]byte(site.IdentifyKey), tok, site.ID, consent.ScopePreferences, h.Now())
	if err != nil {
		return nil, "", collector.Errorf(collector.EUnauthorized, "token", "%s", err.Error())
	}
	user := strings.Clone(a.Subject)
	if h.Budget != nil {
		if wait, ok := h.Budget.Take(site.ID + "\x00" + user); !ok {
			c.Set(fiber.HeaderRetryAfter, ingest.RetryAfterSeconds(wait))
			return nil, "", collector.Errorf(collector.ERateLimited, "", "too many requests, retry later")
		}
	}
	return site, user, nil
}

// body decodes the JSON body into v and authenticates with its "site".
func (h *Handler) body(c *fiber.Ctx, v interface{ site() string }) (*collector.Site, string, error) {
	raw, err := ingest.RequestBody(c)
	if err != nil {
		return nil, "", err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, "", collector.Errorf(collector.EInvalid, "body", "want a JSON object")
	}
	return h.customer(c, v.site())
}

// fail writes err; storage errors become a short "unavailable".
func (h *Handler) fail(c *fiber.Ctx, what string, err error) error {
	if _, ok := err.(*collector.Error); !ok {
		h.Log.Error(what, "err", err)
		err = collector.Errorf(collector.EUnavailable, "", "storage unavailable, retry later")
	}
	return ingest.WriteError(c, err)
}

func (h *Handler) get(c *fiber.Ctx) error {
	site, user, err := h.customer(c, c.Query("site"))
	if err != nil {
		return ingest.WriteError(c, err)
	}
	v, err := h.Preferences.Get(c.UserContext(), site.ID, user)
	if err != nil {
		return h.fail(c, "read preferences", err)
	}
	return c.JSON(v)
}

type setBody struct {
	Site    string `json:"site"`
	Channel string `json:"channel"`
	Topic   string `json:"topic"`
	On      *bool  `json:"on"`
}

func (b *setBody) site() string { return b.Site }

func (h *Handler) set(c *fiber.Ctx) error {
	var b setBody
	site, user, err := h.body(c, &b)
	if err == nil && b.On == nil {
		err = collector.Errorf(collector.EInvalid, "on", "want true or false")
	}
	if err != nil {
		return ingest.WriteError(c, err)
	}
	_, err = h.Preferences.Set(c.UserContext(), preferences.Change{Site: site.ID, User: user, Channel: b.Channel, Topic: b.Topic,
		On: *b.On, Source: preferences.SourceCustomer, Actor: "customer"})
	if err != nil {
		return h.fail(c, "set preference", err)
	}
	v, err := h.Preferences.Get(c.UserContext(), site.ID, user)
	if err != nil {
		return h.fail(c, "read preferences", err)
	}
	return c.JSON(v)
}

func (h *Handler) devices(c *fiber.Ctx) error {
	site, user, err := h.customer(c, c.Query("site"))
	if err != nil {
		return ingest.WriteError(c, err)
	}
	ds, err := h.Privacy.CustomerDevices(c.UserContext(), site.ID, user)
	if err != nil {
		return h.fail(c, "read devices", err)
	}
	return c.JSON(fiber.Map{"site": site.ID, "devices": ds})
}

type unlinkBody struct {
	Site    string `json:"site"`
	Visitor string `json:"visitor_id"`
}

func (b *unlinkBody) site() string { return b.Site }

func (h *Handler) unlink(c *fiber.Ctx) error {
	var b unlinkBody
	site, user, err := h.body(c, &b)
	if err != nil {
		return ingest.WriteError(c, err)
	}
	if err := h.Privacy.UnlinkCustomerDevice(c.UserContext(), site.ID, user, b.Visitor); err != nil {
		return h.fail(c, "unlink device", err)
	}
	return c.JSON(fiber.Map{"unlinked": b.Visitor})
}

// export downloads everything kept about the customer (JSON).
func (h *Handler) export(c *fiber.Ctx) error {
	site, user, err := h.customer(c, c.Query("site"))
	if err != nil {
		return ingest.WriteError(c, err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="my-data-%s.json"`, site.ID))
	siteID := site.ID
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if err := h.Privacy.ExportCustomer(ctx, siteID, user, w); err != nil {
			h.Log.Error("customer export", "err", err)
		}
		w.Flush()
	})
	return nil
}

func (h *Handler) listRequests(c *fiber.Ctx) error {
	site, user, err := h.customer(c, c.Query("site"))
	if err != nil {
		return ingest.WriteError(c, err)
	}
	rs, err := h.Requests.Of(c.UserContext(), site.ID, user)
	if err != nil {
		return h.fail(c, "list requests", err)
	}
	for i := range rs {
		rs[i].UserID = "" // the customer knows who they are
	}
	return c.JSON(fiber.Map{"site": site.ID, "requests": rs})
}

type requestBody struct {
	Site string `json:"site"`
	Kind string `json:"kind"`
}

func (b *requestBody) site() string { return b.Site }

func (h *Handler) fileRequest(c *fiber.Ctx) error {
	var b requestBody
	site, user, err := h.body(c, &b)
	if err != nil {
		return ingest.WriteError(c, err)
	}
	r, err := h.Requests.File(c.UserContext(), site.ID, user, b.Kind, "customer")
	if err != nil {
		return h.fail(c, "file request", err)
	}
	r.UserID = ""
	return c.Status(fiber.StatusCreated).JSON(r)
}
