package privacy

import (
	"context"

	"github.com/ashiato/ashiato/collector/consent"
	"github.com/ashiato/ashiato/collector/store"
)

// LedgerEntry prepares a consent entry just before the ledger stores it:
// the keys of a subject erased while the decision was in flight are
// replaced by their pseudonyms, as the erasure did to the subject's earlier
// ledger rows, so that the decision stays provable without naming anyone
// and the erasure is not undone when it lands. It is to decisions what
// Keep is to events.
func (s *Service) LedgerEntry(e *consent.Entry) {
	if s.nErased.Load() == 0 {
		return
	}
	d := &e.Decision
	if s.Erased(d.SiteID, store.KindVisitor, d.VisitorID) {
		d.VisitorID = s.Keys.Pseudonym(d.SiteID, store.KindVisitor, d.VisitorID)
	}
	if s.Erased(d.SiteID, store.KindUser, d.UserID) {
		d.UserID = s.Keys.Pseudonym(d.SiteID, store.KindUser, d.UserID)
	}
	if s.Erased(d.SiteID, store.KindVisitor, e.PrevVisitorID) {
		e.PrevVisitorID = "" // the erasure removed its links already
	}
}

// subjectRows streams the rows of table that hold sub, as
// Store.StreamSubjectRows does; for the consent ledger it adds the
// subject's decisions still in flight (InFlight), which ClickHouse does
// not hold yet, after the stored ones.
func (s *Service) subjectRows(ctx context.Context, table string, sub store.Subject, fn func(cols []string, vals []any) error) error {
	if table != "consent_log" || s.InFlight == nil {
		return s.Store.StreamSubjectRows(ctx, table, sub, fn)
	}
	stored := map[string]bool{}
	err := s.Store.StreamSubjectRows(ctx, table, sub, func(cols []string, vals []any) error {
		for i, c := range cols {
			if id, ok := vals[i].(string); ok && c == "consent_id" {
				stored[id] = true
			}
		}
		return fn(cols, vals)
	})
	if err != nil {
		return err
	}
	for _, v := range sub.Visitors {
		for _, d := range s.InFlight(sub.Site, v) {
			if stored[d.ConsentID] {
				continue // stored while the rows were read
			}
			if err := fn(store.LedgerRow(d)); err != nil {
				return err
			}
		}
	}
	return nil
}
