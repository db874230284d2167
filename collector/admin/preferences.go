package admin

import (
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/ingest"
	"github.com/ashiato/ashiato/collector/preferences"
	"github.com/ashiato/ashiato/collector/store"
)

// prefQuery reads site, user, channel and topic from the query string.
func prefQuery(c *fiber.Ctx) (site, user, channel, topic string) {
	site = strings.Clone(c.Query("site"))
	c.Locals(localSite, site)
	return site, strings.Clone(c.Query("user")), strings.Clone(c.Query("channel")), strings.Clone(c.Query("topic"))
}

// checkPreference answers the site's mailer for one send: allow or deny,
// with the reason.
func (a *API) checkPreference(c *fiber.Ctx) error {
	site, user, channel, topic := prefQuery(c)
	c.Locals(localDetail, "channel="+channel+" topic="+topic)
	d, err := a.Preferences.Check(c.UserContext(), site, user, channel, topic)
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	c.Locals(localDetail, "channel="+channel+" topic="+topic+" reason="+d.Reason)
	return c.JSON(fiber.Map{"site": site, "channel": channel, "topic": topic, "allow": d.Allow, "reason": d.Reason})
}

// exportPreferences is the bulk list of a topic (CSV user,reason):
// suppressed (default) or allowed; hash=1 (or true) gives SHA-256 of the
// user IDs, hash=0 (or false) them as stored, no hash the site's
// preferences.export_hash; any other hash is 400, never a guess.
func (a *API) exportPreferences(c *fiber.Ctx) error {
	site, _, channel, topic := prefQuery(c)
	list := c.Query("list", preferences.ListSuppressed)
	if list != preferences.ListSuppressed && list != preferences.ListAllowed {
		return ingest.WriteError(c, collector.Errorf(collector.EInvalid, "list", "want suppressed or allowed"))
	}
	var hash bool
	switch h := c.Query("hash"); h {
	case "1", "true":
		hash = true
	case "0", "false":
	case "":
		if s := a.Privacy.Sites(site); s != nil {
			hash = s.Preferences.ExportHash
		}
	default:
		return ingest.WriteError(c, collector.Errorf(collector.EInvalid, "hash", "want 1 or 0 (true or false), got %q", h))
	}
	es, err := a.Preferences.List(c.UserContext(), site, channel, topic, list, hash)
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	c.Locals(localDetail, "channel="+channel+" topic="+topic+" list="+list)
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	return preferences.WriteCSV(c, es)
}

type prefBody struct {
	Site    string `json:"site"`
	User    string `json:"user"`
	Channel string `json:"channel"`
	Topic   string `json:"topic"`
	On      *bool  `json:"on"`
	Source  string `json:"source"`
	Kind    string `json:"kind"`
	State   string `json:"state"`
	Reason  string `json:"reason"`
}

func (a *API) prefBody(c *fiber.Ctx) (prefBody, error) {
	var b prefBody
	raw, err := ingest.RequestBody(c)
	if err != nil {
		return b, err
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		return b, collector.Errorf(collector.EInvalid, "body", "want a JSON object")
	}
	c.Locals(localSite, b.Site)
	if s := a.Privacy.Sites(b.Site); s != nil && b.User != "" {
		c.Locals(localSubject, a.Privacy.Keys.KeyHash(s.ID, store.KindUser, a.Privacy.Keys.StoredUserID(s, b.User)))
	}
	return b, nil
}

// setPreference changes a customer's preference on their behalf.
func (a *API) setPreference(c *fiber.Ctx) error {
	b, err := a.prefBody(c)
	if err == nil && b.On == nil {
		err = collector.Errorf(collector.EInvalid, "on", "want true or false")
	}
	if b.Source == "" {
		b.Source = preferences.SourceAdmin
	}
	if err == nil && b.Source != preferences.SourceAdmin && b.Source != preferences.SourceImport {
		err = collector.Errorf(collector.EInvalid, "source", "want admin or import")
	}
	if err != nil {
		return ingest.WriteError(c, err)
	}
	c.Locals(localDetail, "channel="+b.Channel+" topic="+b.Topic)
	ch, err := a.Preferences.Set(c.UserContext(), preferences.Change{Site: b.Site, User: b.User, Channel: b.Channel, Topic: b.Topic,
		On: *b.On, Source: b.Source, Actor: actor(c)})
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	return c.JSON(ch)
}

// unsubscribeLink mints a one-click unsubscribe link for a mail.
func (a *API) unsubscribeLink(c *fiber.Ctx) error {
	b, err := a.prefBody(c)
	if err != nil {
		return ingest.WriteError(c, err)
	}
	tok, err := a.Preferences.MintLink(b.Site, b.User, b.Channel, b.Topic)
	if err != nil {
		return ingest.WriteError(c, err)
	}
	u := preferences.LinkURL(ingest.Origin(c, a.PublicURL), tok)
	return c.JSON(fiber.Map{"url": u, "list_unsubscribe": "<" + u + ">", "list_unsubscribe_post": "List-Unsubscribe=One-Click"})
}

// listRequests lists requests by deadline: the open ones, or all=1.
func (a *API) listRequests(c *fiber.Ctx) error {
	site := strings.Clone(c.Query("site"))
	c.Locals(localSite, site)
	rs, err := a.Requests.List(c.UserContext(), store.RequestFilter{Site: site, OpenOnly: !c.QueryBool("all", false)})
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	return c.JSON(fiber.Map{"requests": rs})
}

func (a *API) fileRequest(c *fiber.Ctx) error {
	b, err := a.prefBody(c)
	if err != nil {
		return ingest.WriteError(c, err)
	}
	r, err := a.Requests.File(c.UserContext(), b.Site, b.User, b.Kind, actor(c))
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	c.Locals(localDetail, "request_id="+r.RequestID)
	return c.Status(fiber.StatusCreated).JSON(r)
}

func (a *API) showRequest(c *fiber.Ctx) error {
	r, err := a.Requests.Get(c.UserContext(), strings.Clone(c.Params("id")))
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	c.Locals(localSite, r.SiteID)
	return c.JSON(r)
}

func (a *API) advanceRequest(c *fiber.Ctx) error {
	b, err := a.prefBody(c)
	if err != nil {
		return ingest.WriteError(c, err)
	}
	id := strings.Clone(c.Params("id"))
	c.Locals(localDetail, "request_id="+id+" state="+b.State)
	r, err := a.Requests.Advance(c.UserContext(), id, b.State, b.Reason, actor(c))
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	c.Locals(localSite, r.SiteID)
	return c.JSON(r)
}
