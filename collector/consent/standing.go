package consent

import (
	"time"

	"github.com/ashiato/ashiato/collector"
)

// Standing says whether a verified grant counts for a site now, and if
// not, why. Only Current counts.
type Standing uint8

// Standings of a grant.
const (
	Current        Standing = iota // counts
	NoGrant                        // no token, or none that verifies
	OtherSite                      // issued for another site
	Outdated                       // of an older policy revision than the site's
	Expired                        // past its expiry
	Superseded                     // a later decision of the visitor replaced it
	SubjectErased                  // the visitor was erased
	SubjectStopped                 // the visitor is under a stop of use
)

var standingNames = [...]string{"current", "no_grant", "other_site", "outdated", "expired", "superseded", "subject_erased", "subject_stopped"}

func (s Standing) String() string {
	if int(s) < len(standingNames) {
		return standingNames[s]
	}
	return "unknown"
}

// OwnData reports whether a grant of this standing still authenticates
// its visitor to their own data (the self-service privacy API), though it
// may allow no use of that data: withdrawing consent, being erased or
// being under a stop of use takes nothing from the rights of access and
// erasure (the banner withdraws first and then erases with the token it
// held). A token of another site, an older policy revision or expired
// authenticates nothing.
func (s Standing) OwnData() bool {
	return s == Current || s == Superseded || s == SubjectErased || s == SubjectStopped
}

// Subjects reports the privacy state of a visitor; collector/privacy keeps
// it in memory.
type Subjects interface {
	VisitorErased(site, visitorID string) bool
	VisitorStopped(site, visitorID string) bool
}

// Gate is the one rule for whether a consent grant counts: the event
// endpoints, GET /api/consent, identify and the self-service API all ask
// it. A nil Gate checks the grant alone (site, revision, expiry).
type Gate struct {
	Supersessions *Supersessions // the revocation set; nil: none known
	Subjects      Subjects       // erased and stopped visitors; nil: none
}

// Standing returns the standing of grant g (nil when the request carries
// no token that verifies) on site at now: right site, a policy revision
// not older than the site's, not expired, not replaced by a later decision
// of the visitor, and its visitor neither erased nor stopped.
func (gt *Gate) Standing(site *collector.Site, g *collector.Grant, now time.Time) Standing {
	switch {
	case g == nil:
		return NoGrant
	case g.Site != site.ID:
		return OtherSite
	case g.Revision < site.PolicyRevision:
		return Outdated
	case !now.Before(g.ExpiresAt):
		return Expired
	case gt == nil:
		return Current
	case gt.Supersessions.Superseded(site.ID, g.VisitorID, g.ConsentID):
		return Superseded
	case gt.Subjects == nil || g.VisitorID == "":
		return Current
	case gt.Subjects.VisitorErased(site.ID, g.VisitorID):
		return SubjectErased
	case gt.Subjects.VisitorStopped(site.ID, g.VisitorID):
		return SubjectStopped
	}
	return Current
}

// Recorded tells the gate of a decision this instance recorded in the
// ledger: the subject's earlier tokens stop counting here at once (other
// instances learn it from the ledger within seconds).
func (gt *Gate) Recorded(d Decision) {
	if gt != nil {
		gt.Supersessions.Note(d.SiteID, d.VisitorID, d.ConsentID)
	}
}

// Revoked tells the gate that a decision this instance recorded superseded
// consentID, a decision that bound no visitor ID (after the revocation is
// stored, so other instances read it within seconds).
func (gt *Gate) Revoked(consentID string) {
	if gt != nil {
		gt.Supersessions.Revoke(consentID)
	}
}
