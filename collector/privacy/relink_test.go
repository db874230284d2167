package privacy

import (
	"context"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/store/chtest"
)

// TestLinkAgainInTheSecondOfAWithdrawal: a visitor who withdraws and then,
// within the same second, consents again and logs in is linked: the new
// link's row is newer than the unlinked row the withdrawal wrote.
func TestLinkAgainInTheSecondOfAWithdrawal(t *testing.T) {
	st := chtest.New(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	site := &collector.Site{ID: "demo"}
	s := newTestService()
	s.Store, s.Sites, s.Now = st, func(string) *collector.Site { return site }, func() time.Time { return t0 }
	g := &collector.Grant{ConsentID: "c1", Site: "demo", VisitorID: "v1", IssuedAt: t0}
	if err := s.Link(ctx, site, g, "alice", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Unlink(ctx, "demo", "v1"); err != nil {
		t.Fatal(err)
	}
	g2 := &collector.Grant{ConsentID: "c2", Site: "demo", VisitorID: "v1", IssuedAt: t0}
	if err := s.Link(ctx, site, g2, "alice", nil); err != nil {
		t.Fatal(err)
	}
	ids, err := st.LinkedIdentities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids[0].VisitorID != "v1" || ids[0].ConsentID != "c2" {
		t.Fatalf("current links %+v, want v1 linked again under c2", ids)
	}
	if err := s.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.UserID("demo", "v1"); got == "" {
		t.Fatal("not linked in memory after a reload")
	}
}
