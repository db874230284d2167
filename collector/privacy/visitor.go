package privacy

import (
	"context"
	"io"
	"time"

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
	err := s.Store.StreamSubjectRows(ctx, "consent_log", sub, func(cols []string, vals []any) error {
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

// EraseVisitor starts the erasure of a visitor of site, asked by the
// visitor, and returns its request ID; the receipt records the outcome.
func (s *Service) EraseVisitor(ctx context.Context, site, visitorID string) (string, error) {
	r := Request{Site: site, Kind: store.KindVisitor, ID: visitorID, By: "visitor", RequestID: uuid.NewString()}
	if _, err := s.validate(r); err != nil {
		return "", err
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Minute)
		defer cancel()
		if _, err := s.Erase(ctx, r); err != nil {
			s.Log.Error("visitor erasure", "request_id", r.RequestID, "err", err)
		}
	}()
	return r.RequestID, nil
}
