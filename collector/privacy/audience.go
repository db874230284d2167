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
func (s *Service) AudienceMembers(ctx context.Context, siteID, audience string) ([]store.AudienceMember, error) {
	site := s.Sites(siteID)
	if site == nil {
		return nil, collector.Errorf(collector.EUnknownSite, "site", "unknown site")
	}
	return s.Store.AudienceMembers(ctx, site.ID, audience, site.PurposesWith(collector.CapAudienceExport), site.PolicyRevision)
}
