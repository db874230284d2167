package consent

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ashiato/ashiato/collector"
)

// memLedger serves LedgerReader from slices.
type memLedger struct {
	all, since []LatestDecision
	revoked    []string
	sinceAsked time.Time
}

func (m *memLedger) RevokedSince(context.Context, time.Time, time.Time) ([]string, error) {
	return m.revoked, nil
}

func (m *memLedger) SupersedingDecisions(context.Context, time.Time) ([]LatestDecision, error) {
	return m.all, nil
}

func (m *memLedger) DecisionsSince(_ context.Context, since time.Time) ([]LatestDecision, error) {
	m.sinceAsked = since
	return m.since, nil
}

// subjects is a Subjects of fixed erased and stopped visitor IDs.
type subjects struct{ erased, stopped string }

func (s subjects) VisitorErased(_, v string) bool  { return v == s.erased }
func (s subjects) VisitorStopped(_, v string) bool { return v == s.stopped }

// v7At returns a version 7 UUID of time t (ms) with a sequence number.
func v7At(t time.Time, seq uint16) string {
	var u uuid.UUID
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(t.UnixMilli()))
	copy(u[:6], b[2:])
	binary.BigEndian.PutUint16(u[6:], 0x7000|seq&0x0fff)
	u[8] = 0x80
	return u.String()
}

func TestStanding(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	older, newer := v7At(now.Add(-time.Hour), 1), v7At(now.Add(-time.Minute), 2)
	sup := NewSupersessions(&memLedger{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	sup.Note("demo", "v-changed", newer)
	sup.Note("demo", "v-changed", older) // an older decision read late changes nothing
	gate := &Gate{Supersessions: sup, Subjects: subjects{erased: "v-erased", stopped: "v-stopped"}}
	g := func(edit func(*collector.Grant)) *collector.Grant {
		x := &collector.Grant{ConsentID: older, Site: "demo", VisitorID: "v1", Purposes: []string{"analytics"},
			Revision: 2, ExpiresAt: now.Add(time.Hour)}
		if edit != nil {
			edit(x)
		}
		return x
	}
	for _, tc := range []struct {
		name  string
		gate  *Gate
		grant *collector.Grant
		want  Standing
	}{
		{"current", gate, g(nil), Current},
		{"no token", gate, nil, NoGrant},
		{"other site", gate, g(func(x *collector.Grant) { x.Site = "blog" }), OtherSite},
		{"old policy revision", gate, g(func(x *collector.Grant) { x.Revision = 1 }), Outdated},
		{"newer revision", gate, g(func(x *collector.Grant) { x.Revision = 3 }), Current},
		{"expired", gate, g(func(x *collector.Grant) { x.ExpiresAt = now }), Expired},
		{"superseded", gate, g(func(x *collector.Grant) { x.VisitorID = "v-changed" }), Superseded},
		{"the latest decision", gate, g(func(x *collector.Grant) { x.VisitorID, x.ConsentID = "v-changed", newer }), Current},
		{"same visitor of another site", gate, g(func(x *collector.Grant) { x.Site, x.VisitorID = "blog", "v-changed" }), OtherSite},
		{"erased visitor", gate, g(func(x *collector.Grant) { x.VisitorID = "v-erased" }), SubjectErased},
		{"stopped visitor", gate, g(func(x *collector.Grant) { x.VisitorID = "v-stopped" }), SubjectStopped},
		{"no visitor ID", gate, g(func(x *collector.Grant) { x.VisitorID = "" }), Current},
		{"nil gate checks the grant alone", nil, g(func(x *collector.Grant) { x.VisitorID = "v-changed" }), Current},
	} {
		t.Run(tc.name, func(t *testing.T) {
			site := testSite()
			if got := tc.gate.Standing(site, tc.grant, now); got != tc.want {
				t.Fatalf("Standing = %v, want %v", got, tc.want)
			}
			if own := tc.gate.Standing(site, tc.grant, now).OwnData(); own != (tc.want == Current || tc.want == Superseded || tc.want == SubjectErased || tc.want == SubjectStopped) {
				t.Fatalf("OwnData = %v for standing %v", own, tc.want)
			}
			pol := tc.gate.Decide(site, tc.grant, false, now)
			if (pol.Grant != nil) != (tc.want == Current) {
				t.Fatalf("Decide kept grant %v for standing %v", pol.Grant != nil, tc.want)
			}
		})
	}
}

// TestSupersessionsReload: a load keeps what was noted after it began and
// drops subjects it does not list; an update reads from the last read on
// (with the overlap) and merges.
func TestSupersessionsReload(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	led := &memLedger{all: []LatestDecision{{Site: "demo", VisitorID: "a", ConsentID: v7At(now.Add(-time.Hour), 2)}}}
	sup := NewSupersessions(led, slog.New(slog.NewTextHandler(io.Discard, nil)))
	sup.Note("demo", "stale", v7At(now.Add(-time.Hour), 1)) // dropped by the load
	sup.Note("demo", "fresh", v7At(now.Add(time.Second), 1))
	if err := sup.Load(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	if sup.Len() != 2 || !sup.Superseded("demo", "a", v7At(now.Add(-2*time.Hour), 1)) ||
		!sup.Superseded("demo", "fresh", v7At(now, 1)) || sup.Superseded("demo", "stale", v7At(now.Add(-2*time.Hour), 1)) {
		t.Fatalf("after load: %d subjects", sup.Len())
	}
	led.since = []LatestDecision{{Site: "demo", VisitorID: "b", ConsentID: v7At(now.Add(time.Second), 5)}}
	if err := sup.Update(context.Background(), now.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	if !led.sinceAsked.Equal(now.Add(-Overlap)) {
		t.Fatalf("update read since %v, want %v", led.sinceAsked, now.Add(-Overlap))
	}
	if !sup.Superseded("demo", "b", v7At(now, 9)) || sup.Superseded("demo", "b", v7At(now.Add(time.Second), 5)) {
		t.Fatal("update not merged")
	}
}

// BenchmarkGateDecide measures the consent gate on the hot path: a
// current analytics grant, with no revocation set (the baseline), with an
// empty one, and with one of 1 million superseded subjects.
func BenchmarkGateDecide(b *testing.B) {
	now := time.Now()
	site := testSite()
	g := &collector.Grant{ConsentID: v7At(now, 1), Site: "demo", VisitorID: "AAAAAAAAAAAAAAAAAAAAAA", Purposes: []string{"necessary", "analytics"},
		Revision: 2, ExpiresAt: now.Add(time.Hour)}
	const n = 1_000_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	big := NewSupersessions(&memLedger{}, nil)
	for i := range n {
		big.Note("demo", fmt.Sprintf("visitor-%07d", i), v7At(now.Add(time.Duration(i)*time.Millisecond), 1))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perSubject := float64(after.HeapAlloc-before.HeapAlloc) / n
	for _, bc := range []struct {
		name string
		gate *Gate
	}{
		{"baseline", nil},
		{"revocations=0", &Gate{Supersessions: NewSupersessions(&memLedger{}, nil)}},
		{"revocations=1M", &Gate{Supersessions: big}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if p := bc.gate.Decide(site, g, false, now); p.Grant == nil {
					b.Fatal("grant refused")
				}
			}
			if bc.gate != nil && bc.gate.Supersessions == big {
				b.ReportMetric(perSubject, "heapB/subject") // after the loop: its start resets metrics
			}
		})
	}
}

// TestRevokedWithoutVisitor: a decision that bound no visitor ID counts
// until its consent ID is revoked, here (Revoke) or by a reload that reads
// the revocation another instance stored.
func TestRevokedWithoutVisitor(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	mine, theirs, kept := v7At(now.Add(-time.Hour), 1), v7At(now.Add(-time.Hour), 2), v7At(now.Add(-time.Hour), 3)
	led := &memLedger{}
	sup := NewSupersessions(led, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, id := range []string{mine, theirs, kept} {
		if sup.Superseded("demo", "", id) {
			t.Fatalf("%s superseded before any revocation", id)
		}
	}
	sup.Revoke(mine)
	led.revoked = []string{theirs}
	if err := sup.Update(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{mine: true, theirs: true, kept: false} {
		if got := sup.Superseded("demo", "", id); got != want {
			t.Errorf("Superseded(%s) = %v, want %v", id, got, want)
		}
	}
	if err := sup.Load(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	if !sup.Superseded("demo", "", mine) || !sup.Superseded("demo", "", theirs) {
		t.Error("a full reload forgot a revocation")
	}
}

// TestSupersededByIDWithVisitor: a decision with a visitor ID revoked by
// its ID (the late landing of the decision that replaced it, read from
// consent_revoked) no longer counts; the visitor's others do.
func TestSupersededByIDWithVisitor(t *testing.T) {
	now := time.Now()
	old, other := v7At(now.Add(-time.Hour), 1), v7At(now.Add(-time.Hour), 2)
	led := &memLedger{revoked: []string{old}}
	sup := NewSupersessions(led, nil)
	if err := sup.Load(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	if !sup.Superseded("demo", "v1", old) {
		t.Error("a visitor's decision revoked by ID still counts")
	}
	if sup.Superseded("demo", "v2", other) {
		t.Error("a decision not revoked counts as superseded")
	}
}

// BenchmarkSupersessionsUpdate merges an incremental read of 109,000
// decisions (32 s at 3,400 decisions/s, the read's window with Overlap)
// while decisions are being noted, as under load: it reports the longest
// a Note waited, which every decision being recorded pays.
func BenchmarkSupersessionsUpdate(b *testing.B) {
	now := time.Now()
	rows := make([]LatestDecision, 109_000)
	for i := range rows {
		rows[i] = LatestDecision{Site: "demo", VisitorID: fmt.Sprintf("v%022d", i), ConsentID: v7At(now, uint16(i))}
	}
	sup := NewSupersessions(&memLedger{since: rows}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var worst time.Duration
	b.ReportAllocs()
	for b.Loop() {
		done := make(chan struct{})
		noted := make(chan time.Duration)
		go func() {
			var w time.Duration
			for i := 0; ; i++ {
				select {
				case <-done:
					noted <- w
					return
				default:
				}
				t0 := time.Now()
				sup.Note("demo", "noted", v7At(now, uint16(i)))
				w = max(w, time.Since(t0))
				runtime.Gosched()
			}
		}()
		if err := sup.Update(context.Background(), now); err != nil {
			b.Fatal(err)
		}
		close(done)
		worst = max(worst, <-noted)
	}
	b.ReportMetric(float64(worst.Microseconds()), "max-note-wait-µs")
}
