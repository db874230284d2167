package preferences

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"io"
	"slices"

	"github.com/ashiato/ashiato/collector/privacy"
	"github.com/ashiato/ashiato/collector/store"
)

// Reasons of a check's answer.
const (
	ReasonTransactional = "transactional" // required by the contract: always sent
	ReasonOptedIn       = "opted_in"
	ReasonOptedOut      = "opted_out"
	ReasonDefaultOn     = "default_on"
	ReasonDefaultOff    = "default_off"
	ReasonStopped       = "stop_of_use" // the customer asked for a stop of use
	ReasonErased        = "erased"      // the customer's data was erased
)

// Decision is the answer to "may this notice be sent to this customer?".
type Decision struct {
	Allow  bool   `json:"allow"`
	Reason string `json:"reason"`
}

// Check answers whether a notice of topic may be sent to user on channel
// now: transactional notices always; otherwise not to a customer who was
// erased or asked for a stop of use, and else as chosen (or the default).
func (s *Service) Check(ctx context.Context, site, user, channel, topic string) (Decision, error) {
	st, t, stored, err := s.resolve(site, user, channel, topic)
	if err != nil {
		return Decision{}, err
	}
	switch {
	case t.Transactional:
		return Decision{true, ReasonTransactional}, nil
	case s.Privacy.Erased(st.ID, store.KindUser, stored):
		return Decision{false, ReasonErased}, nil
	case s.Privacy.Stopped(st.ID, "", stored):
		return Decision{false, ReasonStopped}, nil
	}
	chosen, err := s.Store.PreferenceStates(ctx, st.ID, stored)
	if err != nil {
		return Decision{}, err
	}
	on, ok := chosen[store.PreferenceKey{Channel: channel, Topic: t.ID}]
	switch {
	case ok && on:
		return Decision{true, ReasonOptedIn}, nil
	case ok:
		return Decision{false, ReasonOptedOut}, nil
	case t.Default:
		return Decision{true, ReasonDefaultOn}, nil
	}
	return Decision{false, ReasonDefaultOff}, nil
}

// Entry is one line of a mailer's list: a user ID as stored (or its
// SHA-256 in hex) and why it is on the list.
type Entry struct {
	User   string `json:"user"`
	Reason string `json:"reason"`
}

// Lists a mailer can ask for.
const (
	ListSuppressed = "suppressed" // who must not receive the topic: opted out, or under a stop of use
	ListAllowed    = "allowed"    // who chose to receive it (for a topic off by default)
)

// List returns the customers of site who must not receive (suppressed) or
// chose to receive (allowed) topic on channel, sorted; with hash, each
// user ID is replaced by the hex SHA-256 of the ID as stored. For a
// transactional topic the suppression list is empty.
func (s *Service) List(ctx context.Context, site, channel, topic, list string, hash bool) ([]Entry, error) {
	st, t, _, err := s.resolve(site, "-", channel, topic)
	if err != nil {
		return nil, err
	}
	stopped, err := s.Store.StoppedUsers(ctx, st.ID)
	if err != nil {
		return nil, err
	}
	var out []Entry
	add := func(users []string, reason string) {
		for _, u := range users {
			if hash {
				sum := sha256.Sum256([]byte(u))
				u = hex.EncodeToString(sum[:])
			}
			out = append(out, Entry{u, reason})
		}
	}
	switch {
	case t.Transactional && list == ListSuppressed:
		return []Entry{}, nil
	case list == ListSuppressed:
		off, err := s.Store.PreferenceUsers(ctx, st.ID, channel, t.ID, false)
		if err != nil {
			return nil, err
		}
		add(slices.DeleteFunc(off, func(u string) bool { return slices.Contains(stopped, u) }), ReasonOptedOut)
		add(stopped, ReasonStopped)
	default:
		on, err := s.Store.PreferenceUsers(ctx, st.ID, channel, t.ID, true)
		if err != nil {
			return nil, err
		}
		add(slices.DeleteFunc(on, func(u string) bool { return slices.Contains(stopped, u) }), ReasonOptedIn)
	}
	slices.SortFunc(out, func(a, b Entry) int {
		if a.User < b.User {
			return -1
		}
		if a.User > b.User {
			return 1
		}
		return 0
	})
	if out == nil {
		out = []Entry{}
	}
	return out, nil
}

// WriteCSV writes a list as CSV with the header user,reason; a user ID
// that a spreadsheet would run as a formula is written as text
// (privacy.CSVCell), as in every CSV the collector writes.
func WriteCSV(w io.Writer, es []Entry) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"user", "reason"})
	for _, e := range es {
		cw.Write([]string{privacy.CSVCell(e.User), e.Reason})
	}
	cw.Flush()
	return cw.Error()
}
