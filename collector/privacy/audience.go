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
	ms = s.withoutInFlightRefusals(site, ms)
	if people(ms) < site.AudienceMinSize {
		return nil, collector.Errorf(collector.EAudienceTooSmall, "audience",
			"fewer exportable people than the site's audience_min_size (%d)", site.AudienceMinSize)
	}
	return ms, nil
}

// withoutInFlightRefusals leaves out of ms the visitors whose latest
// decision, recorded but not in the ledger in ClickHouse yet (InFlight),
// no longer allows the export: the ledger's check cannot see it yet.
func (s *Service) withoutInFlightRefusals(site *collector.Site, ms []store.AudienceMember) []store.AudienceMember {
	if s.InFlight == nil {
		return ms
	}
	out := ms[:0]
	for _, m := range ms {
		if p := s.InFlight(site.ID, m.VisitorID); len(p) > 0 {
			if d := p[len(p)-1]; !site.Capabilities(d.Granted).Has(collector.CapAudienceExport) || d.Revision < site.PolicyRevision {
				continue
			}
		}
		out = append(out, m)
	}
	return out
}

// people counts the distinct people among ms (see PersonKeys).
func people(ms []store.AudienceMember) int {
	seen := make(map[string]struct{}, len(ms))
	for _, k := range PersonKeys(ms) {
		seen[k] = struct{}{}
	}
	return len(seen)
}

// PersonKeys names the person of each row of ms: a user ID stands for its
// person on every row that has it, and on the rows of a visitor ID that
// another row links to it; any other visitor ID is a person of its own.
// Rows of the same person get the same key.
func PersonKeys(ms []store.AudienceMember) []string {
	owner := make(map[string]string) // visitor ID → user ID, from rows that hold both
	for _, m := range ms {
		if m.VisitorID != "" && m.UserID != "" {
			owner[m.VisitorID] = m.UserID
		}
	}
	keys := make([]string, len(ms))
	for i, m := range ms {
		u := m.UserID
		if u == "" {
			u = owner[m.VisitorID]
		}
		keys[i] = "v" + m.VisitorID
		if u != "" {
			keys[i] = "u" + u
		}
	}
	return keys
}

// SegmentMembers is AudienceMembers for a segment's subjects now: src is
// the segment composed into queries/audiences/segment.sql (collector/segment)
// and args its parameters. The consent check and the refusal below the
// site's audience_min_size are the same.
func (s *Service) SegmentMembers(ctx context.Context, siteID, segment, src string, args []any) ([]store.AudienceMember, error) {
	site := s.Sites(siteID)
	if site == nil {
		return nil, collector.Errorf(collector.EUnknownSite, "site", "unknown site")
	}
	ms, err := s.Store.SegmentMembers(ctx, site.ID, segment, site.PurposesWith(collector.CapAudienceExport), site.PolicyRevision, src, args)
	if err != nil {
		return nil, err
	}
	ms = s.withoutInFlightRefusals(site, ms)
	if people(ms) < site.AudienceMinSize {
		return nil, collector.Errorf(collector.EAudienceTooSmall, "audience",
			"fewer exportable people than the site's audience_min_size (%d)", site.AudienceMinSize)
	}
	return ms, nil
}

// ExportablePeople counts the people of a segment who pass the export's
// consent check now, without the audience_min_size refusal: a preview.
func (s *Service) ExportablePeople(ctx context.Context, siteID, segment, src string, args []any) (int, error) {
	site := s.Sites(siteID)
	if site == nil {
		return 0, collector.Errorf(collector.EUnknownSite, "site", "unknown site")
	}
	ms, err := s.Store.SegmentMembers(ctx, site.ID, segment, site.PurposesWith(collector.CapAudienceExport), site.PolicyRevision, src, args)
	if err != nil {
		return 0, err
	}
	ms = s.withoutInFlightRefusals(site, ms)
	return people(ms), nil
}
