package requests

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/preferences"
	"github.com/ashiato/ashiato/collector/privacy"
	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/collector/store/chtest"
)

func newServices(t *testing.T) (*Service, *preferences.Service) {
	t.Helper()
	st := chtest.New(t)
	site := &collector.Site{ID: "shop", TimeZone: "Asia/Tokyo", UserIDHashing: true, Preferences: collector.Preferences{
		RequestDeadlineDays: 14,
		Topics:              []collector.NoticeTopic{{ID: "campaigns", Title: collector.Text{"ja": "キャンペーン", "en": "Campaigns"}, Channels: collector.Channels}},
	}}
	sites := func(id string) *collector.Site {
		if id == site.ID {
			return site
		}
		return nil
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := &privacy.Service{Store: st, Keys: privacy.NewKeyer(bytes.Repeat([]byte{5}, 32)), Sites: sites, Log: log}
	if err := p.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &Service{Store: st, Privacy: p, Sites: sites, Log: log}, &preferences.Service{Store: st, Privacy: p, Sites: sites}
}

func TestRequestStates(t *testing.T) {
	s, _ := newServices(t)
	ctx := context.Background()
	// Filed at 23:30 UTC on 31 January: 1 February in Tokyo.
	s.Now = func() time.Time { return time.Date(2028, 1, 31, 23, 30, 0, 0, time.UTC) }
	late, err := s.File(ctx, "shop", "alice", KindDisclosure, "customer")
	if err != nil {
		t.Fatal(err)
	}
	if got := late.Deadline.Format(time.DateOnly); got != "2028-02-15" {
		t.Fatalf("deadline %s, want 2028-02-15", got)
	}
	s.Now = func() time.Time { return time.Date(2028, 1, 20, 9, 0, 0, 0, time.UTC) }
	early, err := s.File(ctx, "shop", "bob", KindStop, "token:abc")
	if err != nil {
		t.Fatal(err)
	}
	s.Now = nil
	for _, bad := range [][3]string{{"nope", "x", KindStop}, {"shop", "", KindStop}, {"shop", "x", "delete"}} {
		if _, err := s.File(ctx, bad[0], bad[1], bad[2], "customer"); err == nil {
			t.Errorf("File(%v) succeeded", bad)
		}
	}
	open, err := s.List(ctx, store.RequestFilter{Site: "shop", OpenOnly: true})
	if err != nil || len(open) != 2 || open[0].RequestID != early.RequestID {
		t.Fatalf("open requests by deadline: %+v %v", open, err)
	}
	if _, err := s.Advance(ctx, late.RequestID, StateCompleted, "", "cli:op"); collector.ErrorCode(err) != collector.EInvalid {
		t.Fatalf("received → completed: %v", err)
	}
	if _, err := s.Advance(ctx, late.RequestID, StateRejected, "", "cli:op"); collector.ErrorCode(err) != collector.EInvalid {
		t.Fatalf("rejected without a reason: %v", err)
	}
	for _, st := range []string{StateVerified, StateInProgress, StateCompleted} {
		r, err := s.Advance(ctx, late.RequestID, st, "", "cli:op")
		if err != nil || r.State != st {
			t.Fatalf("advance to %s: %+v %v", st, r, err)
		}
	}
	mine, _ := s.Of(ctx, "shop", "alice")
	if len(mine) != 1 || mine[0].State != StateCompleted || mine[0].Deadline.Format(time.DateOnly) != "2028-02-15" {
		t.Fatalf("alice's requests: %+v", mine)
	}
	if _, err := s.Advance(ctx, late.RequestID, StateRejected, "late", "cli:op"); err == nil {
		t.Fatal("a completed request was rejected")
	}
	// A stop of use, completed, stops the customer.
	for _, st := range []string{StateVerified, StateInProgress, StateCompleted} {
		if _, err := s.Advance(ctx, early.RequestID, st, "", "cli:op"); err != nil {
			t.Fatal(err)
		}
	}
	if !s.Privacy.Stopped("shop", "", s.Privacy.Keys.StoredUserID(s.Sites("shop"), "bob")) {
		t.Fatal("a completed stop-of-use request did not stop the customer")
	}
	open, _ = s.List(ctx, store.RequestFilter{Site: "shop", OpenOnly: true})
	if len(open) != 0 {
		t.Fatalf("open after completion: %+v", open)
	}
	audit, _ := s.Store.AuditLog(ctx, 100)
	var steps []string
	for _, e := range audit {
		if strings.Contains(e.Detail, late.RequestID) {
			steps = append(steps, e.Action)
		}
	}
	if len(steps) != 4 {
		t.Fatalf("audit rows of the disclosure request: %v, want 4 steps", steps)
	}
}

func TestErasureRequestRemovesPreferencesAndRequests(t *testing.T) {
	s, prefs := newServices(t)
	ctx := context.Background()
	for _, u := range []string{"carol", "dave"} {
		if _, err := prefs.Set(ctx, preferences.Change{Site: "shop", User: u, Channel: "email", Topic: "campaigns", On: false, Source: preferences.SourceCustomer}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.File(ctx, "shop", "carol", KindDisclosure, "customer"); err != nil {
		t.Fatal(err)
	}
	r, err := s.File(ctx, "shop", "carol", KindErasure, "customer")
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{StateVerified, StateInProgress, StateCompleted} {
		if r, err = s.Advance(ctx, r.RequestID, st, "", "cli:op"); err != nil {
			t.Fatal(err)
		}
	}
	if r.UserID != "" || !strings.Contains(r.Reason, "verified true") {
		t.Fatalf("completed erasure: %+v", r)
	}
	recs, err := s.Store.Receipts(ctx, 10)
	if err != nil || len(recs) != 1 {
		t.Fatalf("receipts: %+v %v", recs, err)
	}
	if recs[0].Rows["preference_log"] != 1 || recs[0].Rows["privacy_requests"] == 0 || !recs[0].Verified {
		t.Fatalf("the receipt does not name the preference tables: %+v", recs[0].Rows)
	}
	carol := s.Privacy.Keys.StoredUserID(s.Sites("shop"), "carol")
	for _, table := range []string{"preference_log", "privacy_requests"} {
		var n uint64
		if err := s.Store.Conn.QueryRow(ctx, "SELECT count() FROM "+s.Store.Dialect.DB+"."+table+" WHERE user_id = ?", carol).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s still holds %d rows of the erased customer (%v)", table, n, err)
		}
	}
	if mine, _ := s.Of(ctx, "shop", "carol"); len(mine) != 0 {
		t.Errorf("the erased customer's requests are still listed: %+v", mine)
	}
	if got, _ := s.Get(ctx, r.RequestID); got.State != StateCompleted || got.UserID != "" {
		t.Errorf("the erasure request's record: %+v", got)
	}
	if d, _ := prefs.Check(ctx, "shop", "dave", "email", "campaigns"); d.Reason != preferences.ReasonOptedOut {
		t.Errorf("another customer's preference went with the erasure: %+v", d)
	}
}
