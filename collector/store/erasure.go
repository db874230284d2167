package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// QueuedErasure is one row of erasure_queue: a suppressed subject whose
// rows wait for the next erasure batch.
type QueuedErasure struct {
	RequestID   string
	Subject     Subject
	RequestedBy string
	RequestedAt time.Time
}

// QueueErasure adds an erasure to erasure_queue.
func (s *Store) QueueErasure(ctx context.Context, q QueuedErasure) error {
	sub := q.Subject
	return s.insertRows(ctx, "erasure_queue",
		[]string{"request_id", "site_id", "kind", "subject_key", "visitors", "users", "requested_by", "requested_at"},
		[]any{q.RequestID, sub.Site, sub.Kind, sub.Key, nonNil(sub.Visitors), nonNil(sub.Users), q.RequestedBy, q.RequestedAt.UTC()})
}

// QueuedErasures returns the queued erasures that have no receipt yet,
// oldest first.
func (s *Store) QueuedErasures(ctx context.Context) ([]QueuedErasure, error) {
	db := s.Dialect.DB
	rows, err := s.Conn.Query(ctx, `SELECT request_id, site_id, kind, subject_key, visitors, users, requested_by, requested_at
		FROM `+db+`.erasure_queue WHERE request_id NOT IN (SELECT request_id FROM `+db+`.erasure_receipts)
		ORDER BY requested_at, request_id`)
	if err != nil {
		return nil, fmt.Errorf("query erasure_queue: %w", err)
	}
	defer rows.Close()
	var out []QueuedErasure
	seen := map[string]bool{}
	for rows.Next() {
		var q QueuedErasure
		sub := &q.Subject
		if err := rows.Scan(&q.RequestID, &sub.Site, &sub.Kind, &sub.Key, &sub.Visitors, &sub.Users, &q.RequestedBy, &q.RequestedAt); err != nil {
			return nil, fmt.Errorf("scan erasure_queue: %w", err)
		}
		if !seen[q.RequestID] {
			seen[q.RequestID] = true
			out = append(out, q)
		}
	}
	return out, rows.Err()
}

// SubjectMonths returns the months (YYYYMM) that hold events of the
// subject, from event_subjects.
func (s *Store) SubjectMonths(ctx context.Context, sub Subject) ([]uint32, error) {
	q, args := s.subjectQuery("SELECT DISTINCT toYYYYMM(ts)", "event_subjects", sub)
	rows, err := s.Conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("months of subject: %w", err)
	}
	defer rows.Close()
	var out []uint32
	for rows.Next() {
		var m uint32
		if err := rows.Scan(&m); err != nil {
			return nil, fmt.Errorf("scan months: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// DeleteSubjectsRows deletes the rows of every subject in subs from table
// with one statement: a lightweight DELETE FROM on servers that have it,
// else one ALTER TABLE … DELETE mutation (which it does not wait for).
// months, when not empty, restricts the deletion to those month
// partitions (tables partitioned by toYYYYMM(ts)), so that servers that
// check a mutation's condition per part leave the other parts alone.
func (s *Store) DeleteSubjectsRows(ctx context.Context, table string, subs []Subject, months []uint32) error {
	var conds []string
	var args []any
	for _, sub := range subs {
		c, a := sub.where() // a mutation's condition: no subquery
		if isIndex(table) {
			c, a = s.cond(table, sub)
		}
		conds = append(conds, "(site_id = ? AND "+c+")")
		args = append(append(args, sub.Site), a...)
	}
	if len(conds) == 0 {
		return nil
	}
	where := "(" + strings.Join(conds, " OR ") + ")"
	if len(months) > 0 {
		where += " AND toYYYYMM(ts) IN ?"
		args = append(args, set(months))
	}
	build := func(t string) string { return "ALTER TABLE " + t + " DELETE WHERE " + where }
	if s.Dialect.LightDelete {
		build = func(t string) string { return "DELETE FROM " + t + " WHERE " + where }
	}
	if err := s.onShards(ctx, table, build, args...); err != nil {
		return fmt.Errorf("delete %s rows of %d subjects: %w", table, len(subs), err)
	}
	return nil
}

// PseudonymiseLedgers replaces the keys of every subject in subs in the
// consent ledger by their pseudonyms (pseudo(site, kind, key)) with one
// mutation, so that the proof of consent stays without naming anyone.
func (s *Store) PseudonymiseLedgers(ctx context.Context, subs []Subject, pseudo func(site, kind, key string) string) error {
	var vFrom, vTo, uFrom, uTo []string
	for _, sub := range subs {
		for _, v := range sub.Visitors {
			vFrom, vTo = append(vFrom, sub.Site+"|"+v), append(vTo, pseudo(sub.Site, KindVisitor, v))
		}
		for _, u := range sub.Users {
			uFrom, uTo = append(uFrom, sub.Site+"|"+u), append(uTo, pseudo(sub.Site, KindUser, u))
		}
	}
	if len(vFrom)+len(uFrom) == 0 {
		return nil
	}
	// transform needs non-empty arrays of one type: pad with an impossible key.
	pad := func(a []string) []string { return append(a, "\x00") }
	vFrom, vTo, uFrom, uTo = pad(vFrom), pad(vTo), pad(uFrom), pad(uTo)
	err := s.Alter(ctx, "consent_log",
		`UPDATE visitor_id = transform(concat(site_id, '|', visitor_id), ?, ?, visitor_id),
		         user_id = transform(concat(site_id, '|', user_id), ?, ?, user_id)
		  WHERE concat(site_id, '|', visitor_id) IN ? OR concat(site_id, '|', user_id) IN ?`,
		vFrom, vTo, uFrom, uTo, set(vFrom), set(uFrom))
	if err != nil {
		return fmt.Errorf("pseudonymise consent_log: %w", err)
	}
	return nil
}

// ForgetKeys blanks the stored keys of privacy_subjects rows with the
// given key hashes (keyed by site, so unique across sites), by one
// mutation, when any holds a key.
func (s *Store) ForgetKeys(ctx context.Context, hashes []string) error {
	if len(hashes) == 0 {
		return nil
	}
	_, err := s.deleteOrUpdate(ctx, "privacy_subjects", "UPDATE subject = ''", "key_hash IN ? AND subject != ''", set(hashes))
	return err
}

// DequeueErasures deletes the queued rows of request IDs (they hold the
// subjects' keys) by one statement.
func (s *Store) DequeueErasures(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.deleteOrUpdate(ctx, "erasure_queue", "DELETE", "request_id IN ?", set(ids))
	return err
}

// deleteOrUpdate runs "ALTER TABLE table action WHERE where" when a row
// matches, and returns how many did.
func (s *Store) deleteOrUpdate(ctx context.Context, table, action, where string, args ...any) (uint64, error) {
	var n uint64
	if err := s.Conn.QueryRow(ctx, "SELECT count() FROM "+s.Dialect.DB+"."+table+" WHERE "+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s rows: %w", table, err)
	}
	if n == 0 {
		return 0, nil
	}
	if err := s.Alter(ctx, table, action+" WHERE "+where, args...); err != nil {
		return n, fmt.Errorf("%s %s rows: %w", strings.ToLower(strings.Fields(action)[0]), table, err)
	}
	return n, nil
}
