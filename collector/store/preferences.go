package store

import (
	"context"
	"fmt"
	"time"
)

// PreferenceChange is one row of preference_log.
type PreferenceChange struct {
	ChangeID string    `json:"change_id"`
	SiteID   string    `json:"site_id"`
	UserID   string    `json:"-"` // as stored
	Channel  string    `json:"channel"`
	Topic    string    `json:"topic"`
	Old      int8      `json:"old"` // -1 the default, 0 off, 1 on
	New      bool      `json:"new"`
	Source   string    `json:"source"`
	Actor    string    `json:"actor"`
	LinkID   string    `json:"-"`
	TS       time.Time `json:"ts"`
}

// PreferenceKey names one preference: a channel and a topic.
type PreferenceKey struct{ Channel, Topic string }

// AppendPreference appends a change to the preference ledger.
func (s *Store) AppendPreference(ctx context.Context, c PreferenceChange) error {
	var n uint8
	if c.New {
		n = 1
	}
	err := s.insertRows(ctx, "preference_log",
		[]string{"change_id", "site_id", "user_id", "visitor_id", "channel", "topic", "old_state", "new_state", "source", "actor", "link_id", "ts", "seq"},
		[]any{c.ChangeID, c.SiteID, c.UserID, "", c.Channel, c.Topic, c.Old, n, c.Source, c.Actor, c.LinkID, c.TS.UTC(), uint64(time.Now().UnixNano())})
	if err != nil {
		return fmt.Errorf("append preference: %w", err)
	}
	return nil
}

// PreferenceStates returns a user's current choices (the latest row per
// channel and topic); a preference never chosen is absent.
func (s *Store) PreferenceStates(ctx context.Context, site, user string) (map[PreferenceKey]bool, error) {
	rows, err := s.Conn.Query(ctx, "SELECT channel, topic, argMax(new_state, seq) FROM "+s.Dialect.DB+
		".preference_log WHERE site_id = ? AND user_id = ? GROUP BY channel, topic", site, user)
	if err != nil {
		return nil, fmt.Errorf("query preferences: %w", err)
	}
	defer rows.Close()
	out := map[PreferenceKey]bool{}
	for rows.Next() {
		var k PreferenceKey
		var v uint8
		if err := rows.Scan(&k.Channel, &k.Topic, &v); err != nil {
			return nil, fmt.Errorf("scan preferences: %w", err)
		}
		out[k] = v == 1
	}
	return out, rows.Err()
}

// PreferenceUsers returns the users of site whose latest choice for
// channel and topic is state (user IDs as stored, sorted).
func (s *Store) PreferenceUsers(ctx context.Context, site, channel, topic string, state bool) ([]string, error) {
	var want uint8
	if state {
		want = 1
	}
	rows, err := s.Conn.Query(ctx, "SELECT user_id FROM "+s.Dialect.DB+
		".preference_log WHERE site_id = ? AND channel = ? AND topic = ? GROUP BY user_id HAVING argMax(new_state, seq) = ? ORDER BY user_id",
		site, channel, topic, want)
	if err != nil {
		return nil, fmt.Errorf("query preference users: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, fmt.Errorf("scan preference users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// PreferenceLinkUsed reports whether an unsubscribe link was used already.
func (s *Store) PreferenceLinkUsed(ctx context.Context, site, linkID string) (bool, error) {
	var n uint64
	err := s.Conn.QueryRow(ctx, "SELECT count() FROM "+s.Dialect.DB+".preference_log WHERE site_id = ? AND link_id = ?",
		site, linkID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("query unsubscribe link: %w", err)
	}
	return n > 0, nil
}

// StoppedUsers returns the user IDs (as stored) of site under a stop of use.
func (s *Store) StoppedUsers(ctx context.Context, site string) ([]string, error) {
	states, err := s.SubjectStates(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, st := range states {
		if st.SiteID == site && st.Kind == KindUser && st.State == StateStopped && st.Subject != "" {
			out = append(out, st.Subject)
		}
	}
	return out, nil
}
