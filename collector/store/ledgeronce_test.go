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
