package store

import (
	"context"
	"fmt"
	"time"
)

// RequestRow is one step of a privacy request (privacy_requests).
type RequestRow struct {
	RequestID string    `json:"request_id"`
	SiteID    string    `json:"site_id"`
	UserID    string    `json:"user_id,omitempty"` // as stored
	Kind      string    `json:"kind"`
	State     string    `json:"state"`
	Reason    string    `json:"reason,omitempty"`
	Actor     string    `json:"actor"`
	FiledAt   time.Time `json:"filed_at"`
	Deadline  time.Time `json:"deadline"` // a date (midnight UTC)
	TS        time.Time `json:"updated_at"`
}

// AppendRequestStep stores a step of a request.
func (s *Store) AppendRequestStep(ctx context.Context, r RequestRow) error {
	err := s.insertRows(ctx, "privacy_requests",
		[]string{"request_id", "site_id", "user_id", "visitor_id", "kind", "state", "reason", "actor", "filed_at", "deadline", "ts", "seq"},
		[]any{r.RequestID, r.SiteID, r.UserID, "", r.Kind, r.State, r.Reason, r.Actor, r.FiledAt.UTC(), r.Deadline, r.TS.UTC(), uint64(time.Now().UnixNano())})
	if err != nil {
		return fmt.Errorf("store request step: %w", err)
	}
	return nil
}

// RequestFilter selects requests: of a site, of a user (as stored), one
// request, or the open ones only. Empty fields select all.
type RequestFilter struct {
	Site, User, ID string
	OpenOnly       bool
}

// Requests returns the current state of the requests that f selects,
// earliest deadline first.
func (s *Store) Requests(ctx context.Context, f RequestFilter) ([]RequestRow, error) {
	q := "SELECT request_id, site_id, argMax(user_id, seq) AS u, any(kind), argMax(state, seq) AS st, argMax(reason, seq), argMax(actor, seq), " +
		"min(filed_at), min(deadline), max(ts) FROM " + s.Dialect.DB + ".privacy_requests WHERE 1"
	var args []any
	for _, c := range []struct{ col, v string }{{"site_id", f.Site}, {"request_id", f.ID}} {
		if c.v != "" {
			q += " AND " + c.col + " = ?"
			args = append(args, c.v)
		}
	}
	q += " GROUP BY site_id, request_id HAVING 1"
	if f.User != "" {
		q += " AND u = ?"
		args = append(args, f.User)
	}
	if f.OpenOnly {
		q += " AND st NOT IN ('completed', 'rejected')"
	}
	q += " ORDER BY min(deadline), min(filed_at), request_id"
	rows, err := s.Conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query requests: %w", err)
	}
	defer rows.Close()
	var out []RequestRow
	for rows.Next() {
		var r RequestRow
		if err := rows.Scan(&r.RequestID, &r.SiteID, &r.UserID, &r.Kind, &r.State, &r.Reason, &r.Actor, &r.FiledAt, &r.Deadline, &r.TS); err != nil {
			return nil, fmt.Errorf("scan requests: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
