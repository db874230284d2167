package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ashiato/ashiato/collector/consent"
	"github.com/ashiato/ashiato/collector/store/chtest"
)

// TestInsertEntriesOnce: entries handed out again (seen) are not stored a
// second time, in consent_log nor consent_revoked, also when a late
// entry's revocation is stamped with another time on the replay; fresh
// entries beside them are.
func TestInsertEntriesOnce(t *testing.T) {
	st := chtest.New(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	entry := func(vid, revokes string) consent.Entry {
		return consent.Entry{Decision: consent.Decision{ConsentID: uuid.Must(uuid.NewV7()).String(), SiteID: "demo", TS: now,
			VisitorID: vid, Granted: []string{"necessary"}, Method: consent.MethodWithdraw, ExpiresAt: now.Add(time.Hour)},
			Revokes: revokes, RevokesExpiresAt: now.Add(time.Hour)}
	}
	a, b := entry("va", uuid.Must(uuid.NewV7()).String()), entry("vb", "")
	if n, err := st.InsertEntriesOnce(ctx, []consent.Entry{a, b}, 0); err != nil || n != 2 {
		t.Fatalf("first insert: %d, %v", n, err)
	}
	a.RevokedAt = now.Add(3 * time.Second) // as a replayed late entry's
	c := entry("vc", "")
	if n, err := st.InsertEntriesOnce(ctx, []consent.Entry{a, b, c}, 2); err != nil || n != 1 {
		t.Fatalf("replay with a fresh entry: %d written, %v; want 1", n, err)
	}
	count := func(q string) uint64 {
		var n uint64
		if err := st.Conn.QueryRow(ctx, "SELECT count() FROM "+st.Dialect.DB+q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(".consent_log"); n != 3 {
		t.Errorf("consent_log: %d rows, want 3", n)
	}
	if n := count(".consent_revoked"); n != 1 {
		t.Errorf("consent_revoked: %d rows, want 1", n)
	}
}

// TestDecisionsSince: the incremental read returns every decision since the
// time (a subject with two comes twice), leaves out older and erased ones,
// and the revocation set it feeds keeps each subject's latest decision.
func TestDecisionsSince(t *testing.T) {
	st := chtest.New(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	var ids []string
	entry := func(vid string, ts time.Time) consent.Entry {
		id := uuid.Must(uuid.NewV7()).String()
		ids = append(ids, id)
		return consent.Entry{Decision: consent.Decision{ConsentID: id, SiteID: "demo", TS: ts,
			VisitorID: vid, Method: consent.MethodAcceptAll, ExpiresAt: now.Add(time.Hour)}}
	}
	es := []consent.Entry{entry("old", now.Add(-time.Hour)), entry("v1", now), entry("v1", now), entry("v2", now), entry("erased:x", now)}
	if _, err := st.InsertEntriesOnce(ctx, es, 0); err != nil {
		t.Fatal(err)
	}
	rows, err := st.DecisionsSince(ctx, now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range rows {
		got[r.VisitorID]++
	}
	if len(rows) != 3 || got["v1"] != 2 || got["v2"] != 1 {
		t.Fatalf("rows %+v, want v1 twice and v2 once", rows)
	}
	sup := consent.NewSupersessions(st, nil)
	sup.Note("demo", "v1", ids[1]) // recorded here; the read brings the later one
	if err := sup.Update(ctx, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if !sup.Superseded("demo", "v1", ids[1]) || sup.Superseded("demo", "v1", ids[2]) || sup.Superseded("demo", "v2", ids[3]) {
		t.Fatal("after the read, v1's first decision is not superseded by its second, or a latest one is")
	}
}
