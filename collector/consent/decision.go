package consent

import (
	"crypto/rand"
	"encoding/base64"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/ashiato/ashiato/collector"
)

// Methods by which a decision is made.
const (
	MethodAcceptAll = "accept_all"
	MethodRejectAll = "reject_all"
	MethodCustom    = "custom"
	MethodWithdraw  = "withdraw"
	MethodGPC       = "gpc"
	MethodAPI       = "api"
)

// ValidMethod reports whether m is a known method.
func ValidMethod(m string) bool {
	switch m {
	case MethodAcceptAll, MethodRejectAll, MethodCustom, MethodWithdraw, MethodGPC, MethodAPI:
		return true
	}
	return false
}

// Decision is one row of the consent ledger.
type Decision struct {
	ConsentID string    `json:"consent_id"`
	SiteID    string    `json:"site_id"`
	TS        time.Time `json:"ts"`
	VisitorID string    `json:"visitor_id"`
	UserID    string    `json:"user_id"`
	Granted   []string  `json:"granted"`
	Denied    []string  `json:"denied"`
	Revision  int       `json:"revision"`
	TextsHash string    `json:"texts_hash"`
	Method    string    `json:"method"`
	Lang      string    `json:"lang"`
	GPC       bool      `json:"gpc"`
	UAFamily  string    `json:"ua_family"`
	ExpiresAt time.Time `json:"expires_at"`
}

// NewDecision turns what the visitor chose into a ledger decision and the grant
// its token carries. requested are the purposes the visitor ticked; prev is
// the grant of the visitor's current token, if any (its visitor ID is kept
// so that changing one's mind does not split one visitor in two). necessary
// is always granted; with GPC, advertising is always denied; withdraw and
// reject_all grant nothing optional.
func NewDecision(site *collector.Site, requested []string, method string, gpc bool, prev *collector.Grant, now time.Time) (Decision, collector.Grant) {
	var granted, denied []string
	for _, p := range site.Purposes {
		on := p.Required || p.ID == collector.PurposeNecessary
		if !on && method != MethodWithdraw && method != MethodRejectAll {
			on = method == MethodAcceptAll || slices.Contains(requested, p.ID)
		}
		if on && gpc && site.Capabilities([]string{p.ID})&collector.AdvertisingCaps != 0 {
			on = false // GPC denies every purpose that unlocks advertising or sharing
		}
		if on {
			granted = append(granted, p.ID)
		} else {
			denied = append(denied, p.ID)
		}
	}
	d := Decision{
		ConsentID: newConsentID(), SiteID: site.ID, TS: now.UTC().Truncate(time.Second),
		Granted: granted, Denied: denied, Revision: site.PolicyRevision,
		Method: method, GPC: gpc,
		ExpiresAt: now.UTC().Truncate(time.Second).AddDate(0, 0, site.ConsentMaxAgeDays),
	}
	var prevVID string
	if prev != nil && prev.Site == site.ID {
		prevVID = prev.VisitorID
	}
	g := collector.Grant{
		ConsentID: d.ConsentID, Site: site.ID, Purposes: granted, Revision: site.PolicyRevision,
		IssuedAt: d.TS, ExpiresAt: d.ExpiresAt,
	}
	if site.Capabilities(granted).Has(collector.CapPersistentID) {
		g.VisitorID = prevVID
		if g.VisitorID == "" {
			g.VisitorID = NewVisitorID()
		}
	}
	// The ledger row names the subject: the new visitor ID, or for a
	// refusal or withdrawal the one the visitor had until now.
	d.VisitorID = g.VisitorID
	if d.VisitorID == "" {
		d.VisitorID = prevVID
	}
	return d, g
}

// newConsentID returns a version 7 UUID: time-ordered to the millisecond
// and monotonic within the process, so that of two decisions of a visitor
// the later one has the greater ID even within one second (the ledger's ts
// keeps whole seconds).
func newConsentID() string { return uuid.Must(uuid.NewV7()).String() }

// NewVisitorID returns a random first-party visitor ID (128 bits).
func NewVisitorID() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
