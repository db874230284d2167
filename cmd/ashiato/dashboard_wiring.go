package main

import (
	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/admin"
	"github.com/ashiato/ashiato/collector/web"
)

// startDashboard mounts the marketers' dashboard: its page and assets
// (collector/web) and its login and data routes, which share the admin
// API's tokens, failure limiter, audit log and stats handler.
func (m *Main) startDashboard(app *fiber.App, api *admin.API, sites func() []*collector.Site, secret []byte) {
	app.Use(admin.DashboardPrefix, rateLimit(m.Config.Server, m.enricher))
	web.RegisterDashboard(app)
	(&admin.Dashboard{API: api, Sessions: admin.NewSessions(secret), Sites: sites, PublicURL: m.Config.PublicURL}).Register(app)
}
