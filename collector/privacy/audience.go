package privacy

import (
	"context"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/store"
)

// AudienceMembers returns the members of an audience of a site that may be
// exported now. Consent is checked again at export, against the ledger and
// the site's current configuration: only subjects whose latest decision
// grants a purpose that unlocks audience export, of the current policy
// revision and not expired, and who are not under a stop of use. A
// withdrawal or erasure therefore takes effect here at once, before the
// deletion of the subject's rows has run.
//
// An audience of fewer people than the site's AudienceMinSize, counted
// after that check, is refused (EAudienceTooSmall): a short list names
// its people to whoever receives it.
func (s *Service) AudienceMembers(ctx context.Context, siteID, audience string) ([]store.AudienceMember, error) {
	site := s.Sites(siteID)
	if site == nil {
		return nil, collector.Errorf(collector.EUnknownSite, "site", "unknown site")
	}
	ms, err := s.Store.AudienceMembers(ctx, site.ID, audience, site.PurposesWith(collector.CapAudienceExport), site.PolicyRevision)
	if err != nil {
		return nil, err
	}
	if people(ms) < site.AudienceMinSize {
		return nil, collector.Errorf(collector.EAudienceTooSmall, "audience",
			"fewer exportable people than the site's audience_min_size (%d)", site.AudienceMinSize)
	}
	return ms, nil
}

// people counts the distinct people among ms: a user ID stands for its
// person on every row that has it, and on the rows of a visitor ID that
// another row links to it; any other visitor ID is a person of its own.
func people(ms []store.AudienceMember) int {
	owner := make(map[string]string) // visitor ID → user ID, from rows that hold both
	for _, m := range ms {
		if m.VisitorID != "" && m.UserID != "" {
			owner[m.VisitorID] = m.UserID
		}
	}
	seen := make(map[string]struct{}, len(ms))
	for _, m := range ms {
		u := m.UserID
		if u == "" {
			u = owner[m.VisitorID]
		}
		key := "v" + m.VisitorID
		if u != "" {
			key = "u" + u
		}
		seen[key] = struct{}{}
	}
	return len(seen)
}
