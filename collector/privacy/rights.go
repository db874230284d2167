package privacy

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/store"
)

// Request names a data subject: a visitor ID or a user ID (as the site's
// systems know it; hashed here when the site hashes user IDs) of a site.
type Request struct {
	Site string
	Kind string // store.KindVisitor or store.KindUser
	ID   string
	By   string // who asked: "token:<id>", "cli:<user>", "visitor"
	// RequestID names the erasure; a new one when empty.
	RequestID string
	// Stored says ID is a user ID as stored already (a keyed hash when the
	// site hashes user IDs), as the preference center's requests keep it.
	Stored bool
}

// Validate checks the request against the configured sites.
func (s *Service) validate(r Request) (*collector.Site, error) {
	site := s.Sites(r.Site)
	switch {
	case site == nil:
		return nil, collector.Errorf(collector.EUnknownSite, "site", "unknown site")
	case r.Kind != store.KindVisitor && r.Kind != store.KindUser:
		return nil, collector.Errorf(collector.EInvalid, "kind", "want visitor or user")
	case r.ID == "" || len(r.ID) > 256:
		return nil, collector.Errorf(collector.EInvalid, r.Kind, "want an ID of 1 to 256 characters")
	}
	return site, nil
}

// Resolve finds every key of the subject: for a user, the visitor IDs ever
// linked to it.
func (s *Service) Resolve(ctx context.Context, r Request) (store.Subject, error) {
	site, err := s.validate(r)
	if err != nil {
		return store.Subject{}, err
	}
	sub := store.Subject{Site: site.ID, Kind: r.Kind}
	if r.Kind == store.KindVisitor {
		sub.Key = r.ID
		sub.Visitors = []string{r.ID}
		return sub, nil
	}
	sub.Key = r.ID
	if !r.Stored {
		sub.Key = s.Keys.StoredUserID(site, r.ID)
	}
	sub.Users = []string{sub.Key}
	if sub.Visitors, err = s.Store.VisitorsOfUser(ctx, site.ID, sub.Key); err != nil {
		return sub, err
	}
	return sub, nil
}

// SubjectHash names the subject in receipts and audit rows.
func (s *Service) SubjectHash(sub store.Subject) string {
	return s.Keys.KeyHash(sub.Site, sub.Kind, sub.Key)
}

// Stop records a stop of use: the subject's data stays, and is left out of
// profiling and audiences until Resume.
func (s *Service) Stop(ctx context.Context, r Request) (store.Subject, error) {
	return s.setState(ctx, r, store.StateStopped)
}

// Resume ends a stop of use.
func (s *Service) Resume(ctx context.Context, r Request) (store.Subject, error) {
	return s.setState(ctx, r, store.StateActive)
}

func (s *Service) setState(ctx context.Context, r Request, state string) (store.Subject, error) {
	sub, err := s.Resolve(ctx, r)
	if err != nil {
		return sub, err
	}
	now := s.now()
	keys := subjectKeys(sub)
	for _, k := range keys {
		h := s.Keys.KeyHash(sub.Site, k[0], k[1])
		if s.Erased(sub.Site, k[0], k[1]) {
			continue
		}
		subject := k[1]
		if state == store.StateActive {
			subject = ""
		}
		if err := s.Store.SetSubjectState(ctx, store.SubjectState{SiteID: sub.Site, Kind: k[0], KeyHash: h, Subject: subject, State: state, TS: now}); err != nil {
			return sub, fmt.Errorf("record %s: %w", state, err)
		}
		sk := s.subjectKey(sub.Site, k[0], k[1])
		s.mu.Lock()
		s.setStopped(sk, state == store.StateStopped)
		s.mu.Unlock()
	}
	return sub, nil
}

// subjectKeys lists (kind, key) of every key of the subject.
func subjectKeys(sub store.Subject) [][2]string {
	var out [][2]string
	for _, v := range sub.Visitors {
		out = append(out, [2]string{store.KindVisitor, v})
	}
	for _, u := range sub.Users {
		out = append(out, [2]string{store.KindUser, u})
	}
	return out
}

// Erase suppresses the subject at once, so that events still in the spool
// or arriving later are dropped, and queues the deletion of its rows for
// the next erasure batch (erasebatch.go), which deletes the rows of every
// queued subject together, keeps the consent ledger's proof with the keys
// pseudonymised, verifies that no row is left and stores the receipt.
// Erase returns that receipt: it waits for the batch (or runs it, where no
// batch loop runs, as in the CLI).
func (s *Service) Erase(ctx context.Context, r Request) (store.Receipt, error) {
	q, err := s.suppressAndQueue(ctx, r)
	if err != nil {
		return store.Receipt{}, err
	}
	return s.awaitErasure(ctx, q.RequestID)
}

// suppressAndQueue suppresses the subject of r and queues its erasure.
func (s *Service) suppressAndQueue(ctx context.Context, r Request) (store.QueuedErasure, error) {
	sub, err := s.Resolve(ctx, r)
	if err != nil {
		return store.QueuedErasure{}, err
	}
	if r.RequestID == "" {
		r.RequestID = uuid.NewString()
	}
	q := store.QueuedErasure{RequestID: r.RequestID, Subject: sub, RequestedBy: r.By, RequestedAt: s.now()}
	// Suppress first, so that nothing written from now on survives.
	for _, k := range subjectKeys(sub) {
		h := s.Keys.KeyHash(sub.Site, k[0], k[1])
		err := s.Store.SetSubjectState(ctx, store.SubjectState{SiteID: sub.Site, Kind: k[0], KeyHash: h,
			State: store.StateErased, TS: q.RequestedAt, RequestID: q.RequestID})
		if err != nil {
			return q, fmt.Errorf("suppress subject: %w", err)
		}
		sk := s.subjectKey(sub.Site, k[0], k[1])
		s.mu.Lock()
		s.erased[sk] = struct{}{}
		s.nErased.Store(int64(len(s.erased)))
		delete(s.stopped, sk)
		delete(s.stateChanges, sk)
		if k[0] == store.KindVisitor {
			s.forgetLink(linkKey{sub.Site, k[1]}, time.Time{})
		}
		s.mu.Unlock()
	}
	s.mu.Lock()
	for k, l := range s.links {
		if k.site == sub.Site && slices.Contains(sub.Users, l.userID) {
			s.forgetLink(k, time.Time{})
		}
	}
	s.mu.Unlock()
	if err := s.Store.QueueErasure(ctx, q); err != nil {
		return q, fmt.Errorf("queue erasure: %w", err)
	}
	return q, nil
}

// keyHashes returns the keyed hashes of every key of sub.
func (s *Service) keyHashes(sub store.Subject) []string {
	var out []string
	for _, k := range subjectKeys(sub) {
		out = append(out, s.Keys.KeyHash(sub.Site, k[0], k[1]))
	}
	return out
}

// remaining counts the rows that still name the subject, outside the
// indexes (which it reads them through: see eraseAll).
func (s *Service) remaining(ctx context.Context, sub store.Subject, hashes []string) (uint64, error) {
	var total uint64
	for _, t := range append(append([]string{}, store.SubjectTables...), store.DerivedTables...) {
		n, err := s.Store.CountSubjectRows(ctx, t, sub)
		if err != nil {
			return 0, err
		}
		total += n
	}
	n, err := s.Store.CountSubjectKeys(ctx, sub.Site, hashes)
	return total + n, err
}
