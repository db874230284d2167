package consent

import (
	"strings"
	"time"

	"github.com/ashiato/ashiato/collector"
)

// CampaignParams are the query parameters kept in anonymous mode: campaign
// tags carry no identifier. A site may add its own (Site.QueryAllowlist).
var CampaignParams = []string{
	"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id",
	"ref", "source",
}

// anonymousPurposes are the purposes of every anonymous hit; shared and
// never modified, so anonymous hits allocate no slice for them.
var anonymousPurposes = []string{collector.PurposeNecessary}

// Policy is what the gate decided for one request: the capabilities that
// hold and whether anonymous hits are kept.
type Policy struct {
	Caps     collector.Capability
	Grant    *collector.Grant // nil in anonymous mode
	Purposes []string         // granted purposes after GPC
	Drop     bool             // anonymous and the site drops anonymous hits
	site     *collector.Site
}

// Decide returns the policy for a hit on site at now with grant (nil when
// the hit carries no valid token) and the Global Privacy Control signal. A
// grant that is not Current (another site's, of an outdated policy
// revision, expired, superseded by a later decision, of an erased or
// stopped visitor) counts as no grant: anonymous mode.
func (gt *Gate) Decide(site *collector.Site, grant *collector.Grant, gpc bool, now time.Time) Policy {
	p := Policy{site: site}
	if gt.Standing(site, grant, now) != Current {
		p.Drop = site.AnonymousMode == collector.AnonymousDrop
		p.Purposes = anonymousPurposes
		return p
	}
	p.Grant = grant
	for _, id := range grant.Purposes {
		if gpc && site.Capabilities([]string{id})&collector.AdvertisingCaps != 0 {
			continue // GPC denies every purpose that unlocks advertising or sharing
		}
		if site.Purpose(id) != nil || id == collector.PurposeNecessary {
			p.Purposes = append(p.Purposes, id)
		}
	}
	p.Caps = site.Capabilities(p.Purposes)
	if gpc {
		p.Caps &^= collector.AdvertisingCaps
	}
	return p
}

// Apply blanks every field of ev that the policy does not allow. It is the
// one place where consent is enforced on events; it returns false when the
// event must not be kept at all.
func Apply(ev *collector.Event, p Policy) bool {
	if p.Drop {
		return false
	}
	ev.Purposes = p.Purposes
	if p.Caps.Has(collector.CapPersistentID) {
		// Only the visitor ID the server bound to the decision is honoured,
		// never one the client claims. The consent ID is kept only here:
		// of a decision that granted no persistent ID (a refusal above
		// all) it would be a stable identifier that links the visitor's
		// hits across days; the link stays in the ledger.
		ev.VisitorID = p.Grant.VisitorID
		ev.ConsentID = p.Grant.ConsentID
	} else {
		ev.VisitorID, ev.SessionID, ev.ConsentID = "", "", ""
	}
	if !p.Caps.Has(collector.CapUserIDJoin) {
		ev.UserID = ""
	}
	if !p.Caps.Has(collector.CapClickIDs) {
		ev.ClickIDType, ev.ClickID = "", ""
	}
	if !p.Caps.Has(collector.CapFullURL) {
		ev.URLQuery = filterQuery(ev.URLQuery, p.site)
	}
	return true
}

// filterQuery keeps only the campaign parameters (and the site's own
// allowlist) of an encoded query string.
func filterQuery(q string, site *collector.Site) string {
	if q == "" {
		return ""
	}
	all := true
	for part := range strings.SplitSeq(q, "&") {
		name, _, _ := strings.Cut(part, "=")
		if !keepParam(name, site) {
			all = false
			break
		}
	}
	if all {
		return q // the common case: campaign parameters only
	}
	var b strings.Builder
	b.Grow(len(q))
	for part := range strings.SplitSeq(q, "&") {
		name, _, _ := strings.Cut(part, "=")
		if !keepParam(name, site) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(part)
	}
	return b.String()
}

func keepParam(name string, site *collector.Site) bool {
	for _, p := range CampaignParams {
		if name == p {
			return true
		}
	}
	if site != nil {
		for _, p := range site.QueryAllowlist {
			if name == p {
				return true
			}
		}
	}
	return false
}
