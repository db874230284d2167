package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Subject kinds.
const (
	KindVisitor = "visitor"
	KindUser    = "user"
)

// Subject states in privacy_subjects.
const (
	StateActive  = "active"
	StateStopped = "stopped"
	StateErased  = "erased"
)

// SubjectTables are the tables that hold rows of a data subject, in the
// order exports list them.
var SubjectTables = []string{"identities", "traits", "consent_log", "audience_members", "lookalike_scores", "preference_log", "privacy_requests", "events"}

// DerivedTables are built from SubjectTables and name subjects too (the
// visits rollup: visitor_id, user_id): an erasure deletes the subject's
// rows there as well and verifies none is left; an export leaves them out
// (it holds the events they are built from).
var DerivedTables = []string{"visits"}

// Subject is one data subject of a site and every key its rows carry.
// A visitor subject is one browser: rows with its visitor ID. A user
// subject is a person: rows with the user ID, and rows of the visitor IDs
// ever linked to it that carry no (other) user ID.
type Subject struct {
	Site     string
	Kind     string
	Key      string   // the visitor ID, or the user ID as stored
	Visitors []string // visitor IDs of the subject
	Users    []string // user IDs of the subject (as stored)
}

// where returns the condition (without the site) that selects the
// subject's rows of a table with visitor_id and user_id columns.
func (sub Subject) where() (string, []any) {
	var parts []string
	var args []any
	if len(sub.Users) > 0 {
		parts = append(parts, "user_id IN ?")
		args = append(args, set(sub.Users))
	}
	if len(sub.Visitors) > 0 {
		if sub.Kind == KindVisitor {
			parts = append(parts, "visitor_id IN ?")
		} else {
			parts = append(parts, "(visitor_id IN ? AND user_id = '')")
		}
		args = append(args, set(sub.Visitors))
	}
	if len(parts) == 0 {
		return "0", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// keys returns every key of the subject: visitor and user IDs.
func (sub Subject) keys() []string {
	return append(append([]string{}, sub.Visitors...), sub.Users...)
}

// isIndex reports whether table is a subject index (a subject column
// instead of visitor_id and user_id).
func isIndex(table string) bool { return table == "event_subjects" || table == "consent_subjects" }

// cond returns the condition (without the site) that selects the
// subject's rows of table. Events and the ledger are found through their
// indexes: the (day, event ID) pairs and the consent IDs of the subject's
// keys bound the read through the primary key, instead of a scan of the
// site.
func (s *Store) cond(table string, sub Subject) (string, []any) {
	if isIndex(table) {
		if len(sub.keys()) == 0 {
			return "0", nil
		}
		return "subject IN ?", []any{set(sub.keys())}
	}
	cond, args := sub.where()
	if len(args) == 0 {
		return cond, args
	}
	switch table {
	case "events":
		return cond + " AND (toDate(ts), event_id) IN (SELECT toDate(ts), event_id FROM " + s.Dialect.DB +
				".event_subjects WHERE site_id = ? AND subject IN ?)",
			append(args, sub.Site, set(sub.keys()))
	case "consent_log":
		return cond + " AND consent_id IN (SELECT consent_id FROM " + s.Dialect.DB +
				".consent_subjects WHERE site_id = ? AND subject IN ?)",
			append(args, sub.Site, set(sub.keys()))
	}
	return cond, args
}

func (s *Store) subjectQuery(sel, table string, sub Subject) (string, []any) {
	cond, args := s.cond(table, sub)
	return sel + " FROM " + s.Dialect.DB + "." + table + " WHERE site_id = ? AND " + cond, append([]any{sub.Site}, args...)
}

// CountSubjectRows counts the subject's rows in table.
func (s *Store) CountSubjectRows(ctx context.Context, table string, sub Subject) (uint64, error) {
	q, args := s.subjectQuery("SELECT count()", table, sub)
	var n uint64
	if err := s.Conn.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s rows of subject: %w", table, err)
	}
	return n, nil
}

// CountSubjectEvents counts the subject's events from event_subjects
// alone: a few granules, whatever the size of the site.
func (s *Store) CountSubjectEvents(ctx context.Context, sub Subject) (uint64, error) {
	q, args := s.subjectQuery("SELECT uniqExact(event_id)", "event_subjects", sub)
	var n uint64
	if err := s.Conn.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count events of subject: %w", err)
	}
	return n, nil
}

// StreamSubjectRows calls fn with the column names and each of the
// subject's rows of table, in time order, without holding them all.
func (s *Store) StreamSubjectRows(ctx context.Context, table string, sub Subject, fn func(cols []string, vals []any) error) error {
	order := map[string]string{"events": "ts", "consent_log": "ts", "identities": "last_seen", "traits": "imported_at", "audience_members": "added_at",
		"lookalike_scores": "built_at", "preference_log": "seq", "privacy_requests": "seq"}[table]
	q, args := s.subjectQuery("SELECT *", table, sub)
	if order != "" {
		q += " ORDER BY " + order
	}
	rows, err := s.Conn.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("query %s rows of subject: %w", table, err)
	}
	defer rows.Close()
	cols := rows.Columns()
	types := rows.ColumnTypes()
	ptrs := make([]any, len(cols))
	vals := make([]any, len(cols))
	for rows.Next() {
		for i := range ptrs {
			ptrs[i] = reflect.New(types[i].ScanType()).Interface()
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("scan %s: %w", table, err)
		}
		for i := range ptrs {
			vals[i] = reflect.ValueOf(ptrs[i]).Elem().Interface()
		}
		if err := fn(cols, vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

// WaitMutations waits until table has no unfinished mutation (on any
// node of a cluster).
func (s *Store) WaitMutations(ctx context.Context, table string) error {
	for {
		var n uint64
		err := s.queryNodes(ctx, "SELECT count() FROM system.mutations WHERE database = ? AND table = ? AND is_done = 0",
			func(rows driver.Rows) error {
				var c uint64
				err := rows.Scan(&c)
				n += c
				return err
			}, s.Dialect.DB, s.localTable(table))
		if err != nil {
			return fmt.Errorf("read mutations of %s: %w", table, err)
		}
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for mutations of %s: %w", table, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// SubjectState is one row of privacy_subjects.
type SubjectState struct {
	SiteID    string    `json:"site_id"`
	Kind      string    `json:"kind"`
	KeyHash   string    `json:"key_hash"`
	Subject   string    `json:"subject,omitempty"`
	State     string    `json:"state"`
	TS        time.Time `json:"ts"`
	RequestID string    `json:"request_id,omitempty"`
}

// SetSubjectState records the privacy state of a subject key.
func (s *Store) SetSubjectState(ctx context.Context, st SubjectState) error {
	return s.insertRows(ctx, "privacy_subjects",
		[]string{"site_id", "kind", "key_hash", "subject", "state", "ts", "request_id", "version"},
		[]any{st.SiteID, st.Kind, st.KeyHash, st.Subject, st.State, st.TS.UTC(), st.RequestID, uint64(time.Now().UnixNano())})
}

// SubjectStates returns the current state of every subject key that is not
// active (stopped or erased).
func (s *Store) SubjectStates(ctx context.Context) ([]SubjectState, error) {
	rows, err := s.Conn.Query(ctx, `SELECT site_id, kind, key_hash, argMax(subject, version), argMax(state, version),
		argMax(ts, version), argMax(request_id, version)
		FROM `+s.Dialect.DB+`.privacy_subjects GROUP BY site_id, kind, key_hash
		HAVING argMax(state, version) != 'active'`)
	if err != nil {
		return nil, fmt.Errorf("query privacy_subjects: %w", err)
	}
	defer rows.Close()
	var out []SubjectState
	for rows.Next() {
		var st SubjectState
		if err := rows.Scan(&st.SiteID, &st.Kind, &st.KeyHash, &st.Subject, &st.State, &st.TS, &st.RequestID); err != nil {
			return nil, fmt.Errorf("scan privacy_subjects: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// CountSubjectKeys counts privacy_subjects rows that still hold a key.
func (s *Store) CountSubjectKeys(ctx context.Context, site string, hashes []string) (uint64, error) {
	var n uint64
	err := s.Conn.QueryRow(ctx, "SELECT count() FROM "+s.Dialect.DB+".privacy_subjects WHERE site_id = ? AND key_hash IN ? AND subject != ''",
		site, set(hashes)).Scan(&n)
	return n, err
}

// Receipt is the record of one erasure.
type Receipt struct {
	RequestID   string            `json:"request_id"`
	SiteID      string            `json:"site_id"`
	Kind        string            `json:"kind"`
	KeyHash     string            `json:"key_hash"`
	RequestedBy string            `json:"requested_by"`
	RequestedAt time.Time         `json:"requested_at"`
	FinishedAt  time.Time         `json:"finished_at"`
	Rows        map[string]uint64 `json:"rows"` // table → rows deleted or pseudonymised
	Verified    bool              `json:"verified"`
}

// SaveReceipt stores an erasure receipt.
func (s *Store) SaveReceipt(ctx context.Context, r Receipt) error {
	var tables []string
	var counts []uint64
	for _, t := range append(append([]string{}, SubjectTables...), "privacy_subjects") {
		if n, ok := r.Rows[t]; ok {
			tables = append(tables, t)
			counts = append(counts, n)
		}
	}
	var verified uint8
	if r.Verified {
		verified = 1
	}
	return s.insertRows(ctx, "erasure_receipts",
		[]string{"request_id", "site_id", "kind", "key_hash", "requested_by", "requested_at", "finished_at", "tables", "rows", "verified"},
		[]any{r.RequestID, r.SiteID, r.Kind, r.KeyHash, r.RequestedBy, r.RequestedAt.UTC(), r.FinishedAt.UTC(), nonNil(tables), nonNilU(counts), verified})
}

// Receipts returns the erasure receipts, newest first.
func (s *Store) Receipts(ctx context.Context, limit int) ([]Receipt, error) {
	rows, err := s.Conn.Query(ctx, "SELECT request_id, site_id, kind, key_hash, requested_by, requested_at, finished_at, tables, rows, verified FROM "+
		s.Dialect.DB+".erasure_receipts ORDER BY requested_at DESC LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("query erasure_receipts: %w", err)
	}
	defer rows.Close()
	var out []Receipt
	for rows.Next() {
		var r Receipt
		var tables []string
		var counts []uint64
		var verified uint8
		if err := rows.Scan(&r.RequestID, &r.SiteID, &r.Kind, &r.KeyHash, &r.RequestedBy, &r.RequestedAt, &r.FinishedAt, &tables, &counts, &verified); err != nil {
			return nil, fmt.Errorf("scan erasure_receipts: %w", err)
		}
		r.Verified = verified == 1
		r.Rows = map[string]uint64{}
		for i, t := range tables {
			r.Rows[t] = counts[i]
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func nonNilU(s []uint64) []uint64 {
	if s == nil {
		return []uint64{}
	}
	return s
}
