package privacy

import (
	"context"
	"encoding/hex"
	"log/slog"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/consent"
	"github.com/ashiato/ashiato/collector/store"
)

// Service is the privacy stage. Its in-memory state (current identity
// links, erased and stopped subjects) is loaded from ClickHouse at start,
// reloaded periodically (for changes made by other instances or the CLI)
// and updated at once by changes made through it.
type Service struct {
	Store *store.Store
	Keys  *Keyer
	Sites func(id string) *collector.Site
	Log   *slog.Logger
	Now   func() time.Time
	// Settle is how long an erasure waits after suppressing the subject
	// before deleting, so that batches already past the suppression check
	// land first (and are deleted). The CLI, which cannot reach a running
	// collector's memory, waits longer: a reload period and a batch.
	Settle time.Duration
	// InFlight returns the decisions of a visitor that are recorded but
	// not in the consent ledger in ClickHouse yet (package ledger); nil:
	// none. The visitor's own consent history shows them at once.
	InFlight func(site, visitorID string) []consent.Decision
	// AfterErasure, when set, is called once an erasure batch has deleted
	// its subjects' rows: answers computed before it (the stats archive)
	// are dropped.
	AfterErasure func()

	mu      sync.RWMutex
	links   map[linkKey]link
	erased  map[subjectKey]struct{}
	stopped map[subjectKey]struct{}
	// stateChanges are the stops and resumes made through this Service,
	// kept until a reload that started after them has seen them stored.
	stateChanges map[subjectKey]stateChange
	// unlinked are the links this Service removed, each with the last_seen
	// of its unlinked row: a reload that reads such a link again, not newer
	// than that (a read that the unlinked row had not reached yet, a
	// replica behind, a deletion half done), does not bring it back. Kept
	// for unlinkGuard; a new link of the visitor ends it.
	unlinked map[linkKey]time.Time
	nErased  atomic.Int64
	bg       sync.WaitGroup // erasures running in the background
	eb       eraseBatch     // erasebatch.go
}

// Wait waits for the erasures started in the background.
func (s *Service) Wait() { s.bg.Wait() }

type linkKey struct{ site, visitor string }

// subjectKey names a subject key in memory: its site and keyed hash.
type subjectKey struct {
	site string
	hash [16]byte
}

func (s *Service) subjectKey(site, kind, key string) subjectKey {
	return subjectKey{site, s.Keys.keySum(site, kind, key)}
}

// parseSubjectKey reads the stored (hex) form of a key hash.
func parseSubjectKey(site, h string) (subjectKey, bool) {
	k := subjectKey{site: site}
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != len(k.hash) {
		return k, false
	}
	copy(k.hash[:], b)
	return k, true
}

type stateChange struct {
	stopped bool
	at      time.Time // after the state was stored
}

type link struct {
	userID    string // "" for a local unlink not yet seen by a reload
	consentID string
	traits    map[string]string
	firstSeen time.Time
	lastSeen  time.Time
	changed   time.Time // local change time; zero for loaded entries
}

// Reload loads identity links and subject states from ClickHouse. Changes
// made through this Service while the reload ran are kept.
func (s *Service) Reload(ctx context.Context) error {
	start := time.Now()
	ids, err := s.Store.LinkedIdentities(ctx)
	if err != nil {
		return err
	}
	states, err := s.Store.SubjectStates(ctx)
	if err != nil {
		return err
	}
	links := make(map[linkKey]link, len(ids))
	for _, id := range ids {
		k := linkKey{id.SiteID, id.VisitorID}
		if cur, ok := links[k]; ok && cur.lastSeen.After(id.LastSeen) {
			continue // a visitor's latest link wins
		}
		links[k] = link{userID: id.UserID, consentID: id.ConsentID, traits: id.Traits, firstSeen: id.FirstSeen, lastSeen: id.LastSeen}
	}
	erased, stopped := map[subjectKey]struct{}{}, map[subjectKey]struct{}{}
	for _, st := range states {
		k, ok := parseSubjectKey(st.SiteID, st.KeyHash)
		switch {
		case !ok:
		case st.State == store.StateErased:
			erased[k] = struct{}{}
		case st.State == store.StateStopped:
			stopped[k] = struct{}{}
		}
	}
	s.install(start, links, erased, stopped)
	return nil
}

// install replaces the in-memory state by what a reload that started at
// start read, keeping the changes made through this Service since: the
// reload may have read the tables before they were stored.
func (s *Service) install(start time.Time, links map[linkKey]link, erased, stopped map[subjectKey]struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.links {
		if v.changed.After(start) {
			links[k] = v
		}
	}
	for k, at := range s.unlinked {
		if l, ok := links[k]; ok && !l.lastSeen.After(at) {
			delete(links, k)
		}
		if time.Since(at) > unlinkGuard {
			delete(s.unlinked, k)
		}
	}
	for k, c := range s.stateChanges {
		switch {
		case !c.at.After(start):
			delete(s.stateChanges, k) // stored before the reload read
		case c.stopped:
			stopped[k] = struct{}{}
		default:
			delete(stopped, k)
		}
	}
	// Erasure is never undone in memory: a reload that raced an erasure
	// keeps it.
	maps.Copy(erased, s.erased)
	for k := range erased {
		delete(stopped, k)
	}
	s.links, s.erased, s.stopped = links, erased, stopped
	s.nErased.Store(int64(len(erased)))
}

// unlinkGuard is how long a link removed here is kept from coming back by
// a reload that reads it again: far longer than a deletion or a replica
// takes to catch up.
const unlinkGuard = 24 * time.Hour

// forgetLink removes a visitor's link from memory. With at (the last_seen
// of the unlinked row written; zero when none was), it also keeps reloads
// from bringing back a link not newer than that. s.mu is held.
func (s *Service) forgetLink(k linkKey, at time.Time) {
	s.links[k] = link{changed: time.Now()}
	if !at.After(s.unlinked[k]) {
		return
	}
	if s.unlinked == nil {
		s.unlinked = map[linkKey]time.Time{}
	}
	s.unlinked[k] = at
}

// setStopped records in memory a stop (or resume) already stored. s.mu is held.
func (s *Service) setStopped(k subjectKey, stopped bool) {
	if stopped {
		s.stopped[k] = struct{}{}
	} else {
		delete(s.stopped, k)
	}
	if s.stateChanges == nil {
		s.stateChanges = map[subjectKey]stateChange{}
	}
	s.stateChanges[k] = stateChange{stopped: stopped, at: time.Now()}
}

// Run reloads every period until ctx ends.
func (s *Service) Run(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			rctx, cancel := context.WithTimeout(ctx, period)
			if err := s.Reload(rctx); err != nil && ctx.Err() == nil {
				s.Log.Warn("reload privacy state", "err", err)
			}
			cancel()
		}
	}
}

// UserID returns the user ID (as stored) linked to a visitor of a site, or
// "". It is called for every consented hit: a map lookup.
func (s *Service) UserID(site, visitorID string) string {
	s.mu.RLock()
	l := s.links[linkKey{site, visitorID}]
	s.mu.RUnlock()
	return l.userID
}

// Erased reports whether a subject key (as stored) of site was erased.
func (s *Service) Erased(site, kind, key string) bool {
	if key == "" || s.nErased.Load() == 0 {
		return false
	}
	h := s.subjectKey(site, kind, key)
	s.mu.RLock()
	_, ok := s.erased[h]
	s.mu.RUnlock()
	return ok
}

// Stopped reports whether a subject of site is under a stop of use, by its
// visitor ID or its user ID (as stored): it must be left out of profiling
// and audiences.
func (s *Service) Stopped(site, visitorID, userID string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.stopped) == 0 {
		return false
	}
	for _, k := range [][2]string{{store.KindVisitor, visitorID}, {store.KindUser, userID}} {
		if k[1] == "" {
			continue
		}
		if _, ok := s.stopped[s.subjectKey(site, k[0], k[1])]; ok {
			return true
		}
	}
	return false
}

// Keep is the writer's last check of an event before it is stored: the
// events of erased subjects are dropped (including those that were in the
// spool when the erasure happened, and those arriving later), and a user
// ID whose link was removed since the hit was received is blanked.
func (s *Service) Keep(ev *collector.Event) bool {
	if ev.UserID != "" && s.UserID(ev.SiteID, ev.VisitorID) != ev.UserID {
		ev.UserID = ""
	}
	if s.nErased.Load() == 0 {
		return true
	}
	return !s.Erased(ev.SiteID, store.KindVisitor, ev.VisitorID) && !s.Erased(ev.SiteID, store.KindUser, ev.UserID)
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// VisitorErased reports whether a visitor of site was erased (for the
// consent gate: the visitor's tokens no longer count).
func (s *Service) VisitorErased(site, visitorID string) bool {
	return s.Erased(site, store.KindVisitor, visitorID)
}

// VisitorStopped reports whether a visitor of site is under a stop of use
// by its visitor ID (for the consent gate).
func (s *Service) VisitorStopped(site, visitorID string) bool {
	return s.Stopped(site, visitorID, "")
}
