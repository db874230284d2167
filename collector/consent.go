package collector

import "time"

// Purpose identifiers of the default purpose set.
const (
	PurposeNecessary       = "necessary"
	PurposeAnalytics       = "analytics"
	PurposePersonalization = "personalization"
	PurposeAdvertising     = "advertising"
)

// Capability is one thing the collector may do with a visitor's data. The
// gate checks capabilities, never purpose names: a site's purposes each
// unlock a set of capabilities.
type Capability uint16

// Capabilities.
const (
	CapPersistentID    Capability = 1 << iota // first-party visitor and session IDs
	CapUserIDJoin                             // join the authenticated customer ID
	CapInterestProfile                        // interest estimation, chosen notices
	CapAudienceExport                         // inclusion in ad-audience exports
	CapThirdParty                             // sharing with third-party recipients
	CapClickIDs                               // keep ad click IDs (gclid, fbclid, ...)
	CapFullURL                                // keep the whole query string
)

// CapabilityNames maps the configuration names to capabilities.
var CapabilityNames = map[string]Capability{
	"persistent_id":    CapPersistentID,
	"user_id_join":     CapUserIDJoin,
	"interest_profile": CapInterestProfile,
	"audience_export":  CapAudienceExport,
	"third_party":      CapThirdParty,
	"click_ids":        CapClickIDs,
	"full_url":         CapFullURL,
}

// Has reports whether all of want are in c.
func (c Capability) Has(want Capability) bool { return c&want == want }

// AdvertisingCaps are the capabilities that Global Privacy Control removes.
const AdvertisingCaps = CapAudienceExport | CapThirdParty | CapClickIDs

// Grant is what a verified consent token says: which purposes the visitor
// granted for which site, under which policy revision.
type Grant struct {
	ConsentID string
	Site      string
	VisitorID string // the first-party visitor ID bound to this decision, if any
	Purposes  []string
	Revision  int
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// Granted reports whether purpose p is in g.
func (g *Grant) Granted(p string) bool {
	if g == nil {
		return p == PurposeNecessary
	}
	for _, q := range g.Purposes {
		if q == p {
			return true
		}
	}
	return p == PurposeNecessary
}
