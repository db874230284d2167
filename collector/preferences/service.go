// Package preferences keeps a signed-in customer's notice preferences: per
// site, channel (email, sms, post) and topic (declared in the site's
// config), on or off. Every change is a row of an append-only ledger
// (store.PreferenceChange); the latest row per channel and topic is the
// state, the topic's default stands before any. Transactional topics are
// always on. It answers the site's mailer (Check, List) and flips a
// preference from a signed one-click unsubscribe link (links.go).
package preferences

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/privacy"
	"github.com/ashiato/ashiato/collector/store"
)

// Sources of a change: who made it.
const (
	SourceCustomer    = "customer"    // the customer, on the site's preference page
	SourceAdmin       = "admin"       // an operator, on the customer's behalf
	SourceImport      = "import"      // imported from the site's earlier records
	SourceUnsubscribe = "unsubscribe" // a one-click unsubscribe link
)

// Service reads and changes preferences.
type Service struct {
	Store   *store.Store
	Privacy *privacy.Service // stored user IDs, stop of use, erasure
	Sites   func(id string) *collector.Site
	Now     func() time.Time
	// LinkKey signs unsubscribe links (links.go): derived from the server
	// secret.
	LinkKey []byte

	linkMu sync.Mutex // one unsubscribe at a time: a link works once
}

// Change is one requested change of a preference. User is the user ID as
// the site knows it.
type Change struct {
	Site, User, Channel, Topic string
	On                         bool
	Source, Actor              string
	LinkID                     string // the unsubscribe link used, if any
}

// ChannelState is the state of one topic on one channel.
type ChannelState struct {
	Channel string `json:"channel"`
	On      bool   `json:"on"`
	Chosen  bool   `json:"chosen"` // false: the topic's default
}

// TopicState is one topic with its state on each of its channels.
type TopicState struct {
	collector.NoticeTopic
	States []ChannelState `json:"states"`
}

// View is a customer's preferences on a site.
type View struct {
	Site   string       `json:"site"`
	Topics []TopicState `json:"topics"`
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// resolve checks site, user, channel and topic and returns the site, the
// topic and the user ID as stored.
func (s *Service) resolve(site, user, channel, topic string) (*collector.Site, *collector.NoticeTopic, string, error) {
	st, storedUser, err := s.customer(site, user)
	if err != nil {
		return nil, nil, "", err
	}
	t := st.Preferences.Topic(topic)
	if t == nil {
		return nil, nil, "", collector.Errorf(collector.EInvalid, "topic", "unknown topic %q", topic)
	}
	if !t.Has(channel) {
		return nil, nil, "", collector.Errorf(collector.EInvalid, "channel", "topic %s is not sent by %q", topic, channel)
	}
	return st, t, storedUser, nil
}

// customer checks site and user and returns the user ID as stored.
func (s *Service) customer(site, user string) (*collector.Site, string, error) {
	st := s.Sites(site)
	switch {
	case st == nil:
		return nil, "", collector.Errorf(collector.EUnknownSite, "site", "unknown site")
	case user == "" || len(user) > 256:
		return nil, "", collector.Errorf(collector.EInvalid, "user", "want a user ID of 1 to 256 characters")
	}
	return st, s.Privacy.Keys.StoredUserID(st, user), nil
}

// Get returns the customer's preferences on every topic of the site.
func (s *Service) Get(ctx context.Context, site, user string) (View, error) {
	st, stored, err := s.customer(site, user)
	if err != nil {
		return View{}, err
	}
	chosen, err := s.Store.PreferenceStates(ctx, st.ID, stored)
	if err != nil {
		return View{}, err
	}
	v := View{Site: st.ID, Topics: []TopicState{}}
	for _, t := range st.Preferences.Topics {
		ts := TopicState{NoticeTopic: t}
		for _, c := range t.Channels {
			on, ok := chosen[store.PreferenceKey{Channel: c, Topic: t.ID}]
			switch {
			case t.Transactional:
				on, ok = true, false
			case !ok:
				on = t.Default
			}
			ts.States = append(ts.States, ChannelState{Channel: c, On: on, Chosen: ok})
		}
		v.Topics = append(v.Topics, ts)
	}
	return v, nil
}

// Set records a change in the ledger (also when the state does not change:
// the ledger keeps every choice made). A transactional topic cannot be
// turned off.
func (s *Service) Set(ctx context.Context, c Change) (store.PreferenceChange, error) {
	st, t, stored, err := s.resolve(c.Site, c.User, c.Channel, c.Topic)
	if err != nil {
		return store.PreferenceChange{}, err
	}
	return s.record(ctx, st.ID, t, stored, c)
}

// record appends c for the user ID as stored.
func (s *Service) record(ctx context.Context, site string, t *collector.NoticeTopic, stored string, c Change) (store.PreferenceChange, error) {
	if t.Transactional && !c.On {
		return store.PreferenceChange{}, collector.Errorf(collector.EForbidden, "topic", "%s cannot be turned off: %s", t.ID, t.Reason.In("en"))
	}
	row := store.PreferenceChange{ChangeID: uuid.NewString(), SiteID: site, UserID: stored, Channel: c.Channel, Topic: t.ID,
		Old: -1, New: c.On, Source: c.Source, Actor: c.Actor, LinkID: c.LinkID, TS: s.now()}
	if s.Privacy.Erased(site, store.KindUser, stored) {
		// Suppression, as for identify: an erased customer's choices are
		// answered and never stored, so that no import, link or API call
		// brings the customer back onto a mailer's list.
		return row, nil
	}
	chosen, err := s.Store.PreferenceStates(ctx, site, stored)
	if err != nil {
		return store.PreferenceChange{}, err
	}
	if on, ok := chosen[store.PreferenceKey{Channel: c.Channel, Topic: t.ID}]; ok {
		row.Old = 0
		if on {
			row.Old = 1
		}
	}
	return row, s.Store.AppendPreference(ctx, row)
}
