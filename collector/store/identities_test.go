package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/collector/store/chtest"
)

// TestUnlinkedRowsOutliveTheirLinks: a withdrawal's mutation deletes the
// link rows only, and DeleteUnlinkedBefore keeps an unlinked row as long as
// link rows it shadows remain, then removes it.
func TestUnlinkedRowsOutliveTheirLinks(t *testing.T) {
	st := chtest.New(t)
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Second).Add(-2 * time.Hour)
	link := store.Identity{SiteID: "demo", VisitorID: "v1", UserID: "u1", ConsentID: "c1",
		Traits: map[string]string{"tier": "gold"}, FirstSeen: t0, LastSeen: t0}
	gone := link
	gone.Unlinked, gone.Traits, gone.LastSeen = true, nil, t0.Add(time.Second)
	if err := st.SaveIdentities(ctx, link); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveIdentities(ctx, gone); err != nil {
		t.Fatal(err)
	}
	count := func(cond string) uint64 {
		var n uint64
		if err := st.Conn.QueryRow(ctx, "SELECT count() FROM "+st.Dialect.DB+".identities WHERE visitor_id = 'v1' AND "+cond).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// The link rows are still there: the unlinked row stays.
	if n, err := st.DeleteUnlinkedBefore(ctx, time.Now()); err != nil || n != 0 {
		t.Fatalf("with the link rows present: %d removed, %v; want 0", n, err)
	}
	if err := st.DeleteVisitorLinks(ctx, "demo", "v1", nil); err != nil {
		t.Fatal(err)
	}
	if err := st.WaitMutations(ctx, "identities"); err != nil {
		t.Fatal(err)
	}
	if got := count("unlinked = 0"); got != 0 {
		t.Fatalf("link rows after the deletion: %d", got)
	}
	if got := count("unlinked = 1"); got != 1 {
		t.Fatalf("unlinked rows after the deletion: %d, want 1 (it shadows the link until then)", got)
	}
	// Not yet old enough: stays.
	if n, err := st.DeleteUnlinkedBefore(ctx, t0); err != nil || n != 0 {
		t.Fatalf("before its time: %d removed, %v; want 0", n, err)
	}
	if n, err := st.DeleteUnlinkedBefore(ctx, time.Now()); err != nil || n != 1 {
		t.Fatalf("after the link rows went: %d removed, %v; want 1", n, err)
	}
	if err := st.WaitMutations(ctx, "identities"); err != nil {
		t.Fatal(err)
	}
	if got := count("1"); got != 0 {
		t.Fatalf("rows of the visitor left: %d", got)
	}
}
