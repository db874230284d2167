package admin

import (
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/ingest"
	"github.com/ashiato/ashiato/collector/store"
)

// DashboardPrefix is where the marketers' dashboard lives; its page and
// assets are served by collector/web, its login and data here.
const DashboardPrefix = "/dashboard"

// SessionCookie is the name of the dashboard's session cookie.
const SessionCookie = "ashiato_dashboard"

// Dashboard is the dashboard's side of the admin API: a query token is
// exchanged for a session cookie, and the page reads the stats engine
// through the very handler of /admin/api/stats, audited the same way.
type Dashboard struct {
	API      *API
	Sessions *Sessions
	// Sites lists the sites for the picker. Tokens are not bound to
	// sites, so a query token may read every configured site.
	Sites func() []*collector.Site
	// PublicURL is the collector's public URL: an https one makes the
	// cookie Secure, and its origin is accepted on POSTs besides the
	// request's own.
	PublicURL string
}

// DashboardRoutes returns the dashboard's data routes (below DashboardPrefix).
func (d *Dashboard) DashboardRoutes() []Route {
	return []Route{
		{"GET", "/api/sites", ScopeQuery, "dashboard.sites", d.sites},
		{"GET", "/api/stats/:report", ScopeQuery, "dashboard.stats", d.API.stats},
	}
}

// Register mounts login, logout and the data routes on app.
func (d *Dashboard) Register(app *fiber.App) {
	// login exchanges the form field token (a token with the query scope)
	// for a session cookie: 403 for a cross-origin POST (CSRF) or a token
	// without the scope, 401 for a wrong token (counted by the failure
	// limiter, then 429). Audited like every admin call.
	login := Route{Method: "POST", Path: "/login", Scope: ScopeQuery, Action: "dashboard.login"}
	app.Post(DashboardPrefix+login.Path, d.csrf, d.API.guarded(login, d.formToken), d.loggedIn)
	app.Post(DashboardPrefix+"/logout", d.csrf, d.logout)
	for _, r := range d.DashboardRoutes() {
		app.Add(r.Method, DashboardPrefix+r.Path, d.noStore, d.API.guarded(r, d.session), r.handler)
	}
}

func (d *Dashboard) noStore(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}

// session authenticates the session cookie. A cookie that is present but
// forged or expired counts against the address's failures; none at all
// (a page opened before logging in) does not.
func (d *Dashboard) session(c *fiber.Ctx, ip netip.Addr) (*store.Token, error) {
	v := c.Cookies(SessionCookie)
	if v == "" {
		return nil, collector.Errorf(collector.EUnauthorized, "", "log in with a query token")
	}
	id, ok := d.Sessions.Check(v)
	if !ok {
		if d.API.AuthLimit != nil {
			d.API.AuthLimit.Fail(ip)
		}
		return nil, collector.Errorf(collector.EUnauthorized, "", "the session has ended: log in again")
	}
	return d.API.Tokens.ByID(c.UserContext(), strings.Clone(id))
}

// sameOrigin reports whether a POST comes from the dashboard's own page:
// Sec-Fetch-Site says so, or (older browsers) Origin is the request's own
// origin or the public URL's. A POST with neither header is refused.
func (d *Dashboard) sameOrigin(c *fiber.Ctx) bool {
	if s := c.Get("Sec-Fetch-Site"); s != "" {
		return s == "same-origin"
	}
	o := c.Get(fiber.HeaderOrigin)
	if o == "" || o == "null" {
		return false
	}
	if o == c.Protocol()+"://"+c.Hostname() {
		return true
	}
	if u, err := url.Parse(d.PublicURL); err == nil && u.Host != "" {
		return o == u.Scheme+"://"+u.Host
	}
	return false
}

func (d *Dashboard) cookie(value string, exp time.Time) *fiber.Cookie {
	return &fiber.Cookie{Name: SessionCookie, Value: value, Path: DashboardPrefix + "/", Expires: exp,
		HTTPOnly: true, Secure: strings.HasPrefix(d.PublicURL, "https://"), SameSite: fiber.CookieSameSiteStrictMode}
}

// formToken authenticates the login form's field token, from the body
// only (never the URL, which lands in access logs); a wrong one counts
// against the address's failures.
func (d *Dashboard) formToken(c *fiber.Ctx, ip netip.Addr) (*store.Token, error) {
	a := d.API
	tok, err := a.Tokens.Authenticate(c.UserContext(), strings.TrimSpace(string(c.Request().PostArgs().Peek("token"))))
	if err != nil && a.AuthLimit != nil && collector.ErrorCode(err) == collector.EUnauthorized {
		a.AuthLimit.Fail(ip)
	}
	return tok, err
}

// csrf refuses a POST that does not come from the dashboard's own page
// (403 forbidden, field origin), and marks the answer uncacheable.
func (d *Dashboard) csrf(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if !d.sameOrigin(c) {
		return ingest.WriteError(c, collector.Errorf(collector.EForbidden, "origin", "cross-origin request refused"))
	}
	return c.Next()
}

// loggedIn sets the cookie once guarded has accepted the token.
func (d *Dashboard) loggedIn(c *fiber.Ctx) error {
	tok := c.Locals(localToken).(*store.Token)
	v, exp := d.Sessions.Issue(tok.ID)
	c.Cookie(d.cookie(v, exp))
	return c.JSON(fiber.Map{"token_id": tok.ID, "name": tok.Name, "expires": exp.UTC()})
}

// logout deletes the session cookie (same-origin POSTs only) and, for a
// valid session, writes an audit row (action dashboard.logout).
func (d *Dashboard) logout(c *fiber.Ctx) error {
	c.Cookie(d.cookie("", time.Unix(1, 0)))
	if id, ok := d.Sessions.Check(c.Cookies(SessionCookie)); ok {
		d.API.audit(c.UserContext(), store.AuditEntry{TS: time.Now(), Actor: "token:" + strings.Clone(id), Action: "dashboard.logout",
			Method: "POST", Path: DashboardPrefix + "/logout", Status: fiber.StatusOK})
	}
	return c.JSON(fiber.Map{"ok": true})
}

// sites lists the sites the session may read, for the picker.
func (d *Dashboard) sites(c *fiber.Ctx) error {
	type site struct {
		ID             string   `json:"id"`
		TimeZone       string   `json:"time_zone"`
		PolicyRevision int      `json:"policy_revision"`
		Purposes       []string `json:"purposes"`
	}
	out := []site{}
	for _, s := range d.Sites() {
		tz := s.TimeZone
		if tz == "" {
			tz = "UTC"
		}
		var ps []string
		for _, p := range s.Purposes {
			ps = append(ps, p.ID)
		}
		out = append(out, site{ID: s.ID, TimeZone: tz, PolicyRevision: s.PolicyRevision, Purposes: ps})
	}
	return c.JSON(fiber.Map{"sites": out})
}
