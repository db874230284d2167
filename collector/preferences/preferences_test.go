package preferences

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/privacy"
	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/collector/store/chtest"
)

// testSite has a campaign topic (off by default), a service-news topic (on
// by default, e-mail only) and a transactional one.
func testSite(hash bool) *collector.Site {
	return &collector.Site{ID: "shop", TimeZone: "Asia/Tokyo", UserIDHashing: hash, Preferences: collector.Preferences{
		RequestDeadlineDays: 14,
		Topics: []collector.NoticeTopic{
			{ID: "campaigns", Title: collector.Text{"ja": "キャンペーン", "en": "Campaigns"}, Channels: collector.Channels},
			{ID: "news", Title: collector.Text{"ja": "お知らせ", "en": "News"}, Channels: []string{"email"}, Default: true},
			{ID: "orders", Title: collector.Text{"ja": "ご注文", "en": "Orders"}, Channels: collector.Channels, Default: true,
				Transactional: true, Reason: collector.Text{"ja": "契約に必要", "en": "needed for the contract"}},
		},
	}}
}

func newService(t *testing.T, hash bool) *Service {
	t.Helper()
	st := chtest.New(t)
	site := testSite(hash)
	sites := func(id string) *collector.Site {
		if id == site.ID {
			return site
		}
		return nil
	}
	p := &privacy.Service{Store: st, Keys: privacy.NewKeyer(bytes.Repeat([]byte{3}, 32)), Sites: sites,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := p.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &Service{Store: st, Privacy: p, Sites: sites, LinkKey: bytes.Repeat([]byte{4}, 32)}
}

func state(t *testing.T, v View, topic, channel string) ChannelState {
	t.Helper()
	for _, ts := range v.Topics {
		for _, c := range ts.States {
			if ts.ID == topic && c.Channel == channel {
				return c
			}
		}
	}
	t.Fatalf("no %s/%s in %+v", topic, channel, v)
	return ChannelState{}
}

func TestLedgerLatestState(t *testing.T) {
	s := newService(t, true)
	ctx := context.Background()
	v, err := s.Get(ctx, "shop", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if c := state(t, v, "campaigns", "email"); c.On || c.Chosen {
		t.Fatalf("campaigns before any choice: %+v, want the default off", c)
	}
	if c := state(t, v, "news", "email"); !c.On || c.Chosen {
		t.Fatalf("news before any choice: %+v, want the default on", c)
	}
	for _, on := range []bool{true, false, true, false} {
		if _, err := s.Set(ctx, Change{Site: "shop", User: "alice", Channel: "email", Topic: "campaigns", On: on, Source: SourceCustomer, Actor: "customer"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Set(ctx, Change{Site: "shop", User: "alice", Channel: "sms", Topic: "campaigns", On: true, Source: SourceAdmin, Actor: "cli:test"}); err != nil {
		t.Fatal(err)
	}
	v, _ = s.Get(ctx, "shop", "alice")
	if c := state(t, v, "campaigns", "email"); c.On || !c.Chosen {
		t.Errorf("campaigns e-mail after on,off,on,off: %+v", c)
	}
	if c := state(t, v, "campaigns", "sms"); !c.On || !c.Chosen {
		t.Errorf("campaigns sms after on: %+v", c)
	}
	if c := state(t, v, "campaigns", "post"); c.On || c.Chosen {
		t.Errorf("campaigns post untouched: %+v", c)
	}
	// Append-only: every change is a row, each with the state before it.
	stored := s.Privacy.Keys.StoredUserID(testSite(true), "alice")
	rows, err := s.Store.Conn.Query(ctx, "SELECT old_state, new_state, source FROM "+s.Store.Dialect.DB+
		".preference_log WHERE user_id = ? AND channel = 'email' ORDER BY seq", stored)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var o int8
		var n uint8
		var src string
		rows.Scan(&o, &n, &src)
		got = append(got, fmt.Sprintf("%d>%d:%s", o, n, src))
	}
	rows.Close()
	if w := "-1>1:customer 1>0:customer 0>1:customer 1>0:customer"; strings.Join(got, " ") != w {
		t.Errorf("ledger of e-mail = %v, want %s", got, w)
	}
	if strings.Contains(stored, "alice") {
		t.Errorf("a hashing site stores the user ID %q", stored)
	}
}

func TestTransactionalStaysOn(t *testing.T) {
	s := newService(t, false)
	ctx := context.Background()
	_, err := s.Set(ctx, Change{Site: "shop", User: "bob", Channel: "email", Topic: "orders", On: false, Source: SourceCustomer})
	if collector.ErrorCode(err) != collector.EForbidden || !strings.Contains(err.Error(), "needed for the contract") {
		t.Fatalf("turning a transactional topic off: %v, want forbidden with the reason", err)
	}
	for _, bad := range []Change{
		{Site: "shop", User: "bob", Channel: "email", Topic: "nope"},
		{Site: "shop", User: "bob", Channel: "sms", Topic: "news"},
		{Site: "nope", User: "bob", Channel: "email", Topic: "news"},
		{Site: "shop", User: "", Channel: "email", Topic: "news"},
	} {
		if _, err := s.Set(ctx, bad); err == nil {
			t.Errorf("Set(%+v) succeeded", bad)
		}
	}
	d, err := s.Check(ctx, "shop", "bob", "email", "orders")
	if err != nil || !d.Allow || d.Reason != ReasonTransactional {
		t.Fatalf("check transactional: %+v %v", d, err)
	}
}

func TestCheckAndSuppressionExport(t *testing.T) {
	s := newService(t, false)
	ctx := context.Background()
	set := func(user, topic string, on bool) {
		t.Helper()
		if _, err := s.Set(ctx, Change{Site: "shop", User: user, Channel: "email", Topic: topic, On: on, Source: SourceImport}); err != nil {
			t.Fatal(err)
		}
	}
	set("ann", "campaigns", true)
	set("ann", "campaigns", false) // opted out again
	set("ben", "campaigns", true)
	set("cat", "news", false)
	set("dan", "campaigns", true)
	if _, err := s.Privacy.Stop(ctx, privacy.Request{Site: "shop", Kind: store.KindUser, ID: "dan", By: "test"}); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		user, topic string
		allow       bool
		reason      string
	}{
		{"ann", "campaigns", false, ReasonOptedOut},
		{"ben", "campaigns", true, ReasonOptedIn},
		{"eve", "campaigns", false, ReasonDefaultOff},
		{"eve", "news", true, ReasonDefaultOn},
		{"cat", "news", false, ReasonOptedOut},
		{"dan", "campaigns", false, ReasonStopped},
		{"dan", "orders", true, ReasonTransactional},
	}
	for _, c := range checks {
		d, err := s.Check(ctx, "shop", c.user, "email", c.topic)
		if err != nil || d.Allow != c.allow || d.Reason != c.reason {
			t.Errorf("check %s %s = %+v %v, want %v %s", c.user, c.topic, d, err, c.allow, c.reason)
		}
	}
	sup, err := s.List(ctx, "shop", "email", "campaigns", ListSuppressed, false)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sup) != "[{ann opted_out} {dan stop_of_use}]" {
		t.Errorf("suppressed = %v", sup)
	}
	allowed, _ := s.List(ctx, "shop", "email", "campaigns", ListAllowed, false)
	if fmt.Sprint(allowed) != "[{ben opted_in}]" {
		t.Errorf("allowed = %v", allowed)
	}
	hashed, _ := s.List(ctx, "shop", "email", "campaigns", ListSuppressed, true)
	if len(hashed) != 2 || hashed[0].User == "ann" || (hashed[0].User != sha256ann && hashed[1].User != sha256ann) {
		t.Errorf("hashed = %v, want SHA-256 of the IDs", hashed)
	}
	none, _ := s.List(ctx, "shop", "email", "orders", ListSuppressed, false)
	if len(none) != 0 {
		t.Errorf("a transactional topic suppresses %v", none)
	}
}

const sha256ann = "49915e0d7d4b402e3017d010bc1c0e83cac6c797d6c16e66340fe3268693a6a1"

func TestUnsubscribeLink(t *testing.T) {
	s := newService(t, false) // plain user IDs: the link must not reveal them
	ctx := context.Background()
	if _, err := s.Set(ctx, Change{Site: "shop", User: "fay", Channel: "email", Topic: "campaigns", On: true, Source: SourceCustomer}); err != nil {
		t.Fatal(err)
	}
	tok, err := s.MintLink("shop", "fay", "email", "campaigns")
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := base64.RawURLEncoding.DecodeString(tok); strings.Contains(tok, "fay") || bytes.Contains(raw, []byte("fay")) || bytes.Contains(raw, []byte("campaigns")) {
		t.Fatalf("the link can be read: %s", tok)
	}
	if _, err := s.MintLink("shop", "fay", "email", "orders"); err == nil {
		t.Fatal("minted a link for a transactional topic")
	}
	flip := []byte(tok)
	flip[len(flip)/2] ^= 1 // one bit of the sealed payload
	other := &Service{Store: s.Store, Privacy: s.Privacy, Sites: s.Sites, LinkKey: bytes.Repeat([]byte{5}, 32)}
	foreign, _ := other.MintLink("shop", "fay", "email", "campaigns") // sealed with another key
	tampered := []string{string(flip), tok[:len(tok)-4], tok + "AA", foreign, "", "abc", strings.Repeat("a", 3000)}
	for _, bad := range tampered {
		if _, err := s.Unsubscribe(ctx, bad); collector.ErrorCode(err) != collector.EForbidden || !strings.Contains(err.Error(), "not valid") {
			t.Errorf("tampered link %.20q: %v", bad, err)
		}
	}
	l, err := s.Unsubscribe(ctx, tok)
	if err != nil || l.Topic != "campaigns" {
		t.Fatalf("unsubscribe: %+v %v", l, err)
	}
	if d, _ := s.Check(ctx, "shop", "fay", "email", "campaigns"); d.Allow || d.Reason != ReasonOptedOut {
		t.Fatalf("after unsubscribe: %+v", d)
	}
	if _, err := s.Unsubscribe(ctx, tok); err == nil || !strings.Contains(err.Error(), "used already") {
		t.Fatalf("second use: %v", err)
	}
	later := &Service{Store: s.Store, Privacy: s.Privacy, Sites: s.Sites, LinkKey: s.LinkKey,
		Now: func() time.Time { return time.Now().Add(LinkLifetime + time.Hour) }}
	tok2, _ := s.MintLink("shop", "fay", "email", "campaigns")
	if _, err := later.Unsubscribe(ctx, tok2); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("expired link: %v", err)
	}
}

// TestErasedCustomerStaysErased: after an erasure, no change of
// preferences (the API, an import, an unsubscribe link minted before)
// stores a row of the customer again, and the lists leave the customer
// out; the check says erased.
func TestErasedCustomerStaysErased(t *testing.T) {
	s := newService(t, false)
	ctx := context.Background()
	if _, err := s.Set(ctx, Change{Site: "shop", User: "bob", Channel: "email", Topic: "campaigns", On: true, Source: SourceCustomer}); err != nil {
		t.Fatal(err)
	}
	tok, err := s.MintLink("shop", "bob", "email", "news")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Privacy.Erase(ctx, privacy.Request{Site: "shop", Kind: store.KindUser, ID: "bob", By: "test"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []Change{
		{Site: "shop", User: "bob", Channel: "email", Topic: "campaigns", On: true, Source: SourceImport},
		{Site: "shop", User: "bob", Channel: "email", Topic: "news", On: false, Source: SourceCustomer},
	} {
		if _, err := s.Set(ctx, c); err != nil {
			t.Fatalf("set %+v: %v", c, err)
		}
	}
	if _, err := s.Unsubscribe(ctx, tok); err != nil {
		t.Fatalf("unsubscribe with a link minted before the erasure: %v", err)
	}
	chosen, err := s.Store.PreferenceStates(ctx, "shop", "bob")
	if err != nil || len(chosen) != 0 {
		t.Fatalf("stored choices of the erased customer: %v %v", chosen, err)
	}
	if d, _ := s.Check(ctx, "shop", "bob", "email", "campaigns"); d.Allow || d.Reason != ReasonErased {
		t.Errorf("check: %+v, want erased", d)
	}
	allowed, err := s.List(ctx, "shop", "email", "campaigns", ListAllowed, false)
	if err != nil || len(allowed) != 0 {
		t.Errorf("allowed after the erasure: %v %v", allowed, err)
	}
}

// TestWriteCSVFormulas: a user ID that a spreadsheet would run is written
// as text.
func TestWriteCSVFormulas(t *testing.T) {
	var b strings.Builder
	if err := WriteCSV(&b, []Entry{{User: `=HYPERLINK("http://x")`, Reason: ReasonOptedOut}, {User: "ann", Reason: ReasonOptedIn}}); err != nil {
		t.Fatal(err)
	}
	if want := "user,reason\n\"'=HYPERLINK(\"\"http://x\"\")\",opted_out\nann,opted_in\n"; b.String() != want {
		t.Errorf("csv:\n%s\nwant:\n%s", b.String(), want)
	}
}
