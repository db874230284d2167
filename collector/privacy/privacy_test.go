package privacy

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/store"
)

func TestStoredUserID(t *testing.T) {
	k := NewKeyer(bytes.Repeat([]byte{7}, 32))
	hashed := &collector.Site{ID: "shop", UserIDHashing: true}
	plain := &collector.Site{ID: "blog"}
	other := &collector.Site{ID: "other", UserIDHashing: true}
	tests := []struct {
		name string
		got  string
		want func(string) bool
	}{
		{"plain site keeps the ID", k.StoredUserID(plain, "alice"), func(s string) bool { return s == "alice" }},
		{"hashing site hashes", k.StoredUserID(hashed, "alice"), func(s string) bool {
			return strings.HasPrefix(s, "h1:") && !strings.Contains(s, "alice") && len(s) == 35
		}},
		{"stable", k.StoredUserID(hashed, "alice"), func(s string) bool { return s == k.StoredUserID(hashed, "alice") }},
		{"per site", k.StoredUserID(hashed, "alice"), func(s string) bool { return s != k.StoredUserID(other, "alice") }},
		{"keyed", k.StoredUserID(hashed, "alice"), func(s string) bool { return s != NewKeyer(bytes.Repeat([]byte{8}, 32)).StoredUserID(hashed, "alice") }},
		{"empty stays empty", k.StoredUserID(hashed, ""), func(s string) bool { return s == "" }},
		{"pseudonym", k.Pseudonym("shop", "visitor", "v1"), func(s string) bool { return strings.HasPrefix(s, "erased:") && !strings.Contains(s, "v1") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.want(tt.got) {
				t.Fatalf("got %q", tt.got)
			}
		})
	}
}

func newTestService() *Service {
	return &Service{Keys: NewKeyer(bytes.Repeat([]byte{1}, 32)), links: map[linkKey]link{},
		erased: map[subjectKey]struct{}{}, stopped: map[subjectKey]struct{}{}}
}

func TestKeep(t *testing.T) {
	s := newTestService()
	s.links[linkKey{"shop", "v1"}] = link{userID: "u1"}
	s.erased[s.subjectKey("shop", store.KindVisitor, "v9")] = struct{}{}
	s.erased[s.subjectKey("shop", store.KindUser, "u9")] = struct{}{}
	s.nErased.Store(2)
	tests := []struct {
		name     string
		ev       collector.Event
		keep     bool
		wantUser string
	}{
		{"linked visitor keeps its user ID", collector.Event{SiteID: "shop", VisitorID: "v1", UserID: "u1"}, true, "u1"},
		{"a link removed since the hit blanks the user ID", collector.Event{SiteID: "shop", VisitorID: "v2", UserID: "u2"}, true, ""},
		{"erased visitor dropped", collector.Event{SiteID: "shop", VisitorID: "v9"}, false, ""},
		{"erased user dropped", collector.Event{SiteID: "shop", VisitorID: "v9x", UserID: "u9"}, false, ""},
		{"same visitor ID on another site kept", collector.Event{SiteID: "blog", VisitorID: "v9"}, true, ""},
		{"anonymous kept", collector.Event{SiteID: "shop"}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "erased user dropped" {
				s.links[linkKey{"shop", "v9x"}] = link{userID: "u9"}
			}
			ev := tt.ev
			if got := s.Keep(&ev); got != tt.keep {
				t.Fatalf("Keep = %v, want %v", got, tt.keep)
			}
			if tt.keep && ev.UserID != tt.wantUser {
				t.Fatalf("user ID %q, want %q", ev.UserID, tt.wantUser)
			}
		})
	}
}

// BenchmarkUserID is the per-hit identity lookup.
func BenchmarkUserID(b *testing.B) {
	s := newTestService()
	for i := range 100000 {
		s.links[linkKey{"shop", fmt.Sprint("v", i)}] = link{userID: fmt.Sprint("u", i)}
	}
	b.ReportAllocs()
	for b.Loop() {
		if s.UserID("shop", "v4242") == "" {
			b.Fatal("missing")
		}
	}
}

// BenchmarkKeep is the writer's per-event check with a suppression list.
func BenchmarkKeep(b *testing.B) {
	s := newTestService()
	for i := range 1000 {
		s.erased[s.subjectKey("shop", store.KindVisitor, fmt.Sprint("e", i))] = struct{}{}
	}
	s.nErased.Store(1000)
	s.links[linkKey{"shop", "v1"}] = link{userID: "u1"}
	b.ReportAllocs()
	for b.Loop() {
		ev := collector.Event{SiteID: "shop", VisitorID: "v1", UserID: "u1"}
		if !s.Keep(&ev) {
			b.Fatal("dropped")
		}
	}
}

// TestReloadKeepsStopsMadeWhileItRan: a reload that read the subject
// states before a stop (or resume) was stored must not undo it in memory;
// one that started after it was stored is the truth (another instance may
// have resumed the subject since).
// TestReloadDoesNotBringBackARemovedLink: after an unlink, a reload that
// still reads the old link (its unlinked row not yet visible to that read:
// a replica behind, a deletion half done) leaves it out; a newer link,
// made later with consent, comes in.
func TestReloadDoesNotBringBackARemovedLink(t *testing.T) {
	s := newTestService()
	k := linkKey{"shop", "v1"}
	old := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	s.links[k] = link{userID: "u1", lastSeen: old}
	s.mu.Lock()
	s.forgetLink(k, old.Add(time.Second))
	s.mu.Unlock()
	none := func() map[subjectKey]struct{} { return map[subjectKey]struct{}{} }

	started := time.Now().Add(time.Millisecond) // after the unlink: its local change alone would not hold
	s.install(started, map[linkKey]link{k: {userID: "u1", lastSeen: old}}, none(), none())
	if got := s.UserID("shop", "v1"); got != "" {
		t.Fatalf("a reload brought the removed link back: %q", got)
	}
	s.install(time.Now().Add(time.Millisecond), map[linkKey]link{k: {userID: "u2", lastSeen: old.Add(time.Hour)}}, none(), none())
	if got := s.UserID("shop", "v1"); got != "u2" {
		t.Fatalf("a newer link after the unlink: %q, want u2", got)
	}
}

func TestReloadKeepsStopsMadeWhileItRan(t *testing.T) {
	s := newTestService()
	bob := s.subjectKey("shop", store.KindUser, "bob")
	carol := s.subjectKey("shop", store.KindUser, "carol")
	s.stopped[carol] = struct{}{}
	stoppedNow := func(k subjectKey) bool {
		s.mu.RLock()
		defer s.mu.RUnlock()
		_, ok := s.stopped[k]
		return ok
	}

	before := time.Now()
	s.mu.Lock()
	s.setStopped(bob, true)    // stored while the reload ran
	s.setStopped(carol, false) // resumed while the reload ran
	s.mu.Unlock()
	s.install(before, map[linkKey]link{}, map[subjectKey]struct{}{}, map[subjectKey]struct{}{carol: {}})
	if !stoppedNow(bob) || stoppedNow(carol) {
		t.Fatalf("a reload that read before the changes: bob stopped %v (want true), carol stopped %v (want false)", stoppedNow(bob), stoppedNow(carol))
	}

	after := time.Now().Add(time.Millisecond)
	s.install(after, map[linkKey]link{}, map[subjectKey]struct{}{}, map[subjectKey]struct{}{carol: {}})
	if stoppedNow(bob) || !stoppedNow(carol) {
		t.Fatalf("a reload that read after the changes: bob stopped %v (want false: resumed elsewhere), carol stopped %v (want true)", stoppedNow(bob), stoppedNow(carol))
	}
	if len(s.stateChanges) != 0 {
		t.Fatalf("%d local changes kept after a reload saw them", len(s.stateChanges))
	}
}

func TestPeople(t *testing.T) {
	m := func(v, u string) store.AudienceMember { return store.AudienceMember{VisitorID: v, UserID: u} }
	for _, tc := range []struct {
		name string
		ms   []store.AudienceMember
		want int
	}{
		{"none", nil, 0},
		{"visitors", []store.AudienceMember{m("v1", ""), m("v2", ""), m("v3", "")}, 3},
		{"a visitor twice", []store.AudienceMember{m("v1", ""), m("v1", "")}, 1},
		{"a user on two devices and without one", []store.AudienceMember{m("v1", "u1"), m("v2", "u1"), m("", "u1")}, 1},
		{"a linked visitor's row without the user", []store.AudienceMember{m("v1", "u1"), m("v1", ""), m("v2", "")}, 2},
		{"two users", []store.AudienceMember{m("", "u1"), m("", "u2"), m("v9", "")}, 3},
	} {
		if got := people(tc.ms); got != tc.want {
			t.Errorf("%s: %d people, want %d", tc.name, got, tc.want)
		}
	}
}
