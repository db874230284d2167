package web

import (
	"bytes"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/dashboard"
)

// dashboardPolicy is the dashboard page's Content-Security-Policy,
// stricter than the other pages': no inline script or style at all, and
// nothing from another origin.
const dashboardPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// DashboardAssets are the dashboard's script and stylesheet, served at
// /dashboard/ and their content-hashed names.
var DashboardAssets = []Asset{
	newAsset(dashboard.ScriptRef, "text/javascript; charset=utf-8", dashboard.Script),
	newAsset(dashboard.StyleRef, "text/css; charset=utf-8", dashboard.CSS),
}

// dashboardPage is dist/index.html with the assets' versioned URLs.
var dashboardPage = func() []byte {
	page := dashboard.HTML
	for _, a := range DashboardAssets {
		page = bytes.Replace(page, []byte(`"`+a.Name+`"`), []byte(`"/dashboard`+a.Versioned()+`"`), 1)
	}
	return page
}()

// RegisterDashboard serves the dashboard's page at /dashboard/ (and, the
// app's routing not being strict, /dashboard; never
// cached: it names the current assets) and its assets at their versioned
// paths (immutable for a year). Login and data: collector/admin.
func RegisterDashboard(app fiber.Router) {
	app.Get("/dashboard/", func(c *fiber.Ctx) error {
		setHTMLHeaders(c, htmlPolicy{})
		c.Set(fiber.HeaderContentSecurityPolicy, dashboardPolicy)
		c.Set(fiber.HeaderCacheControl, "no-cache")
		return c.Send(dashboardPage)
	})
	for _, a := range DashboardAssets {
		etag := `"` + a.Hash + `"`
		app.Get("/dashboard"+a.Versioned(), func(c *fiber.Ctx) error {
			c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
			c.Set(fiber.HeaderETag, etag)
			c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
			if strings.Contains(c.Get(fiber.HeaderIfNoneMatch), etag) {
				return c.SendStatus(fiber.StatusNotModified)
			}
			c.Set(fiber.HeaderContentType, a.ContentType)
			return c.Send(a.Body)
		})
	}
}
