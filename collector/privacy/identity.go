package privacy

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/consent"
	"github.com/ashiato/ashiato/collector/store"
)

// refreshLink bounds how often an unchanged link is written again (its
// last_seen refreshed).
const refreshLink = time.Hour

// Link joins the visitor of grant g to an authenticated user ID of site
// with traits. The caller has checked that g unlocks the user-ID join; a
// grant superseded by a later decision of the visitor (a withdrawal the
// browser's old token does not know of) is refused. The user ID is stored as the site says (as given or hashed). An
// erased subject is not linked again: the request is accepted and nothing
// is stored.
func (s *Service) Link(ctx context.Context, site *collector.Site, g *collector.Grant, userID string, traits map[string]string) error {
	visitorID, consentID := g.VisitorID, g.ConsentID
	uid := s.Keys.StoredUserID(site, userID)
	if s.Erased(site.ID, store.KindVisitor, visitorID) || s.Erased(site.ID, store.KindUser, uid) {
		return nil
	}
	now := s.now().UTC().Truncate(time.Second)
	k := linkKey{site.ID, visitorID}
	s.mu.RLock()
	cur, ok := s.links[k]
	removed := s.unlinked[k] // the unlinked row of a link removed here, if any
	s.mu.RUnlock()
	if ok && cur.userID == uid && cur.consentID == consentID && maps.Equal(cur.traits, traits) && now.Sub(cur.lastSeen) < refreshLink {
		return nil
	}
	if later, err := s.Store.LaterDecisions(ctx, site.ID, visitorID, consentID, g.IssuedAt); err != nil {
		return err
	} else if later > 0 {
		return collector.Errorf(collector.EConsentRequired, "consent", "a later decision of the visitor replaced this consent")
	}
	first := now
	if ok && cur.userID == uid && !cur.firstSeen.IsZero() {
		first = cur.firstSeen
	}
	if latest := later(cur.lastSeen, removed); !latest.Before(now) {
		now = latest.Add(time.Second) // the newest row must win
	}
	id := store.Identity{SiteID: site.ID, VisitorID: visitorID, UserID: uid, ConsentID: consentID,
		Traits: traits, FirstSeen: first, LastSeen: now}
	if err := s.Store.SaveIdentities(ctx, id); err != nil {
		return fmt.Errorf("link identity: %w", err)
	}
	s.mu.Lock()
	s.links[k] = link{userID: uid, consentID: consentID, traits: traits, firstSeen: first, lastSeen: now, changed: time.Now()}
	delete(s.unlinked, k) // a new link, made with consent, is not held back
	s.mu.Unlock()
	return nil
}

// Unlink removes every identity link of a visitor: later events carry no
// user ID, and the subject leaves audiences (and, with the link, the
// traits that make up its profile). It returns the user IDs unlinked.
func (s *Service) Unlink(ctx context.Context, site, visitorID string) ([]string, error) {
	ids, err := s.Store.IdentitiesOfVisitor(ctx, site, visitorID)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Second)
	var tomb []store.Identity
	users := userIDs(ids)
	var at time.Time // the latest unlinked row; none when nothing was stored (most refusals)
	for _, id := range ids {
		if id.Unlinked {
			at = later(at, id.LastSeen)
			continue
		}
		t := id
		t.Unlinked, t.Traits = true, nil
		t.LastSeen = now
		if !t.LastSeen.After(id.LastSeen) {
			t.LastSeen = id.LastSeen.Add(time.Second)
		}
		at = later(at, t.LastSeen)
		tomb = append(tomb, t)
	}
	k := linkKey{site, visitorID}
	s.mu.Lock()
	s.forgetLink(k, at)
	s.mu.Unlock()
	if len(ids) == 0 { // never linked: only the visitor's own audience rows
		return nil, s.Store.LeaveAudiences(ctx, site, visitorID, nil)
	}
	if len(tomb) > 0 {
		// The unlinked rows take effect at once; the mutation that follows
		// removes the rows themselves.
		if err := s.Store.SaveIdentities(ctx, tomb...); err != nil {
			return nil, fmt.Errorf("unlink identity: %w", err)
		}
	}
	// Forget the link in memory again: a reload that began before the
	// unlinked rows were saved may have brought it back.
	s.mu.Lock()
	s.forgetLink(k, at)
	s.mu.Unlock()
	if err := s.Store.DeleteVisitorLinks(ctx, site, visitorID, users); err != nil {
		return users, err
	}
	return users, nil
}

// leaves returns the visitor IDs that decision e takes out of audiences:
// none when it replaced no decision (its visitor ID is new: in no audience
// and without links) or still grants both the user-ID join and the
// audience export, else the decision's visitor and the one of the grant it
// replaced; unlink says that their identity links go too (no user-ID
// join any more).
func (s *Service) leaves(e consent.Entry) (vids []string, unlink bool) {
	d := &e.Decision
	if e.Replaces == "" {
		return nil, false
	}
	site := s.Sites(d.SiteID)
	if site == nil {
		return nil, false
	}
	caps := site.Capabilities(d.Granted)
	if caps.Has(collector.CapUserIDJoin) && caps.Has(collector.CapAudienceExport) {
		return nil, false
	}
	for _, v := range []string{d.VisitorID, e.PrevVisitorID} {
		if v != "" && !strings.HasPrefix(v, pseudonymPrefix) && !slices.Contains(vids, v) {
			vids = append(vids, v)
		}
	}
	return vids, !caps.Has(collector.CapUserIDJoin)
}

// Decided applies a recorded consent decision in memory at once: when it
// no longer grants the user-ID join (a withdrawal, a refusal, a narrower
// choice), the visitor's identity links stop being joined to hits here,
// and no reload brings back a link not newer than the decision. Landed
// removes them in ClickHouse once the decision is stored.
func (s *Service) Decided(e consent.Entry) {
	vids, unlink := s.leaves(e)
	if !unlink {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range vids {
		s.forgetLink(linkKey{e.Decision.SiteID, v}, e.Decision.TS)
	}
}

// Landed applies a stored consent decision backwards in ClickHouse: when
// it no longer grants the user-ID join, the visitor's identity links are
// removed and the subject leaves audiences; when it only no longer grants
// the audience export, the subject leaves audiences and keeps its links.
// It may run more than once for one decision (a replay after a crash):
// both are idempotent.
func (s *Service) Landed(ctx context.Context, e consent.Entry) error {
	vids, unlink := s.leaves(e)
	for _, v := range vids {
		if unlink {
			if _, err := s.Unlink(ctx, e.Decision.SiteID, v); err != nil {
				return err
			}
			continue
		}
		ids, err := s.Store.IdentitiesOfVisitor(ctx, e.Decision.SiteID, v)
		if err != nil {
			return err
		}
		if err := s.Store.LeaveAudiences(ctx, e.Decision.SiteID, v, userIDs(ids)); err != nil {
			return err
		}
	}
	return nil
}

// userIDs returns the user IDs of ids, each once.
func userIDs(ids []store.Identity) []string {
	var users []string
	for _, id := range ids {
		if !slices.Contains(users, id.UserID) {
			users = append(users, id.UserID)
		}
	}
	return users
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
