package privacy

import (
	"context"
	"io"

	"github.com/google/uuid"

	"github.com/ashiato/ashiato/collector/store"
)

// VisitorSummary is what the self-service API shows a visitor: their
// consent history, identity links (with traits) and privacy state.
type VisitorSummary struct {
	Site       string           `json:"site"`
	VisitorID  string           `json:"visitor_id"`
	State      string           `json:"state"`
	Consent    []map[string]any `json:"consent_history"`
	Identities []store.Identity `json:"identities"`
	Events     uint64           `json:"events"`
}

// VisitorSummary returns the summary of a visitor of site.
func (s *Service) VisitorSummary(ctx context.Context, site, visitorID string) (any, error) {
	sub := store.Subject{Site: site, Kind: store.KindVisitor, Key: visitorID, Visitors: []string{visitorID}}
	out := VisitorSummary{Site: site, VisitorID: visitorID, State: store.StateActive, Consent: []map[string]any{}, Identities: []store.Identity{}}
	switch {
	case s.Erased(site, store.KindVisitor, visitorID):
		out.State = store.StateErased
	case s.Stopped(site, visitorID, ""):
		out.State = store.StateStopped
	}
	err := s.subjectRows(ctx, "consent_log", sub, func(cols []string, vals []any) error {
		row := make(map[string]any, len(cols))
		for i, c := range cols {
			row[c] = vals[i]
		}
		out.Consent = append(out.Consent, row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	ids, err := s.Store.IdentitiesOfVisitor(ctx, site, visitorID)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if !id.Unlinked {
			out.Identities = append(out.Identities, id)
		}
	}
	if out.Events, err = s.Store.CountSubjectEvents(ctx, sub); err != nil {
		return nil, err
	}
	return out, nil
}

// ExportVisitor writes the export of a visitor of site.
func (s *Service) ExportVisitor(ctx context.Context, site, visitorID, format string, w io.Writer) error {
	sub, err := s.Resolve(ctx, Request{Site: site, Kind: store.KindVisitor, ID: visitorID})
	if err != nil {
		return err
	}
	return s.Export(ctx, sub, format, w, nil)
}

// EraseVisitor suppresses a visitor of site, asked by the visitor, queues
// the erasure of their rows and returns its request ID; the receipt
// records the outcome of the batch.
func (s *Service) EraseVisitor(ctx context.Context, site, visitorID string) (string, error) {
	r := Request{Site: site, Kind: store.KindVisitor, ID: visitorID, By: "visitor", RequestID: uuid.NewString()}
	if _, err := s.validate(r); err != nil {
		return "", err
	}
	// Suppressed at once; the rows go with the next erasure batch.
	if _, err := s.suppressAndQueue(ctx, r); err != nil {
		return "", err
	}
	return r.RequestID, nil
}
