// Package requests keeps a customer's requests for disclosure, stop of use
// or erasure of their personal data (開示・利用停止等の請求): filed by the
// customer (the preference center) or by an operator on their behalf, each
// with an ID, a state (received → verified → in_progress → completed, or
// rejected with a reason at any step before completion) and a deadline
// (Deadline). Completion runs the privacy stage's machinery: a stop of use
// or an erasure; a completed disclosure lets the customer download their
// data. Every step is a row of privacy_requests and of the audit log.
package requests

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/privacy"
	"github.com/ashiato/ashiato/collector/store"
)

// Kinds of request.
const (
	KindDisclosure = "disclosure" // a copy of the data kept about the customer
	KindStop       = "stop"       // a stop of use
	KindErasure    = "erasure"    // deletion of the customer's data
)

// Kinds lists every kind.
var Kinds = []string{KindDisclosure, KindStop, KindErasure}

// States of a request.
const (
	StateReceived   = "received"
	StateVerified   = "verified" // the requester's identity was checked
	StateInProgress = "in_progress"
	StateCompleted  = "completed"
	StateRejected   = "rejected" // with a reason
)

// next lists the states each state may move to.
var next = map[string][]string{
	StateReceived:   {StateVerified, StateRejected},
	StateVerified:   {StateInProgress, StateRejected},
	StateInProgress: {StateCompleted, StateRejected},
}

// Service files, lists and advances requests.
type Service struct {
	Store   *store.Store
	Privacy *privacy.Service
	Sites   func(id string) *collector.Site
	Log     *slog.Logger
	Now     func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// File records a new request of kind by user (as the site knows it) of
// site, filed by actor ("customer", "token:<id>", "cli:<user>").
func (s *Service) File(ctx context.Context, site, user, kind, actor string) (store.RequestRow, error) {
	st := s.Sites(site)
	switch {
	case st == nil:
		return store.RequestRow{}, collector.Errorf(collector.EUnknownSite, "site", "unknown site")
	case user == "" || len(user) > 256:
		return store.RequestRow{}, collector.Errorf(collector.EInvalid, "user", "want a user ID of 1 to 256 characters")
	case !slices.Contains(Kinds, kind):
		return store.RequestRow{}, collector.Errorf(collector.EInvalid, "kind", "want disclosure, stop or erasure")
	}
	loc, err := time.LoadLocation(st.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	now := s.now()
	r := store.RequestRow{RequestID: uuid.NewString(), SiteID: st.ID, UserID: s.Privacy.Keys.StoredUserID(st, user), Kind: kind,
		State: StateReceived, Actor: actor, FiledAt: now, Deadline: Deadline(now, loc, st.Preferences.RequestDeadlineDays), TS: now}
	return r, s.step(ctx, r)
}

// step stores a step and its audit row.
func (s *Service) step(ctx context.Context, r store.RequestRow) error {
	if err := s.Store.AppendRequestStep(ctx, r); err != nil {
		return err
	}
	var subject string
	if r.UserID != "" {
		subject = s.Privacy.Keys.KeyHash(r.SiteID, store.KindUser, r.UserID)
	}
	e := store.AuditEntry{TS: r.TS, Actor: r.Actor, Action: "request." + r.State, Method: "REQUEST", SiteID: r.SiteID,
		Subject: subject, Detail: "request_id=" + r.RequestID + " kind=" + r.Kind, Status: 200}
	if err := s.Store.Audit(ctx, e); err != nil {
		return fmt.Errorf("audit request step: %w", err)
	}
	return nil
}

// List returns the requests f selects, earliest deadline first.
func (s *Service) List(ctx context.Context, f store.RequestFilter) ([]store.RequestRow, error) {
	out, err := s.Store.Requests(ctx, f)
	if out == nil {
		out = []store.RequestRow{}
	}
	return out, err
}

// Of returns the requests of a customer (user ID as the site knows it).
func (s *Service) Of(ctx context.Context, site, user string) ([]store.RequestRow, error) {
	st := s.Sites(site)
	if st == nil {
		return nil, collector.Errorf(collector.EUnknownSite, "site", "unknown site")
	}
	return s.List(ctx, store.RequestFilter{Site: st.ID, User: s.Privacy.Keys.StoredUserID(st, user)})
}

// Get returns request id.
func (s *Service) Get(ctx context.Context, id string) (store.RequestRow, error) {
	if id == "" {
		return store.RequestRow{}, collector.Errorf(collector.ENotFound, "id", "no such request")
	}
	rs, err := s.Store.Requests(ctx, store.RequestFilter{ID: id})
	if err != nil {
		return store.RequestRow{}, err
	}
	if len(rs) == 0 {
		return store.RequestRow{}, collector.Errorf(collector.ENotFound, "id", "no such request")
	}
	return rs[0], nil
}

// Advance moves request id to state (a rejection needs a reason). On
// completion it runs the request: a stop of use or an erasure of the
// customer (whose receipt names every table; the request's own rows go
// with the rest, and a last row without the user ID records the
// completion); a disclosure is then ready to download.
func (s *Service) Advance(ctx context.Context, id, state, reason, actor string) (store.RequestRow, error) {
	r, err := s.Get(ctx, id)
	if err != nil {
		return r, err
	}
	if !slices.Contains(next[r.State], state) {
		return r, collector.Errorf(collector.EInvalid, "state", "a %s request cannot move to %q (want one of %v)", r.State, state, next[r.State])
	}
	if state == StateRejected && reason == "" {
		return r, collector.Errorf(collector.EInvalid, "reason", "a rejection needs a reason")
	}
	if len(reason) > 1000 {
		return r, collector.Errorf(collector.EInvalid, "reason", "at most 1000 bytes")
	}
	r.State, r.Reason, r.Actor, r.TS = state, reason, actor, s.now()
	if state == StateCompleted {
		if err := s.run(ctx, &r); err != nil {
			return r, err
		}
	}
	return r, s.step(ctx, r)
}

// run carries out a request being completed.
func (s *Service) run(ctx context.Context, r *store.RequestRow) error {
	pr := privacy.Request{Site: r.SiteID, Kind: store.KindUser, ID: r.UserID, By: r.Actor, Stored: true}
	switch r.Kind {
	case KindStop:
		if _, err := s.Privacy.Stop(ctx, pr); err != nil {
			return fmt.Errorf("stop of use: %w", err)
		}
	case KindErasure:
		pr.RequestID = r.RequestID
		rec, err := s.Privacy.Erase(ctx, pr)
		if err != nil {
			return fmt.Errorf("erasure: %w", err)
		}
		r.UserID, r.Reason = "", fmt.Sprintf("erased: receipt %s, verified %v", rec.RequestID, rec.Verified)
	}
	return nil
}
