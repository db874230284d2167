package main

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector/admin"
	"github.com/ashiato/ashiato/collector/customer"
	"github.com/ashiato/ashiato/collector/ingest"
	"github.com/ashiato/ashiato/collector/preferences"
	"github.com/ashiato/ashiato/collector/requests"
)

// startPreferences wires the customer preference center: its API and the
// unsubscribe endpoint under /api, and the mailer's and operators' routes
// of the admin API (registered by the caller).
func (m *Main) startPreferences(api fiber.Router, adminAPI *admin.API, sites *ingest.Sites, secret []byte) {
	p := m.privacy.svc
	adminAPI.Preferences = &preferences.Service{Store: m.store, Privacy: p, Sites: sites.Get, LinkKey: preferences.LinkKey(secret)}
	adminAPI.Requests = &requests.Service{Store: m.store, Privacy: p, Sites: sites.Get, Log: m.Log}
	(&customer.Handler{Sites: sites, Preferences: adminAPI.Preferences, Requests: adminAPI.Requests, Privacy: p, Log: m.Log,
		Now: m.now, Budget: &ingest.Windows{Max: customer.Budget, Window: time.Minute}}).Register(api)
}
