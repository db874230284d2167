package store

import (
	"context"
	"fmt"
	"time"
)

// AuditEntry is one row of audit_log: an admin action, allowed or refused.
type AuditEntry struct {
	TS      time.Time `json:"ts"`
	Actor   string    `json:"actor"` // "token:<id>", "cli:<os user>", or "anonymous"
	Action  string    `json:"action"`
	Method  string    `json:"method"`
	Path    string    `json:"path"`
	SiteID  string    `json:"site_id,omitempty"`
	Subject string    `json:"subject,omitempty"` // keyed hash of the subject, never the key
	Detail  string    `json:"detail,omitempty"`
	Status  int       `json:"status"`
}

// Audit appends entries to audit_log.
func (s *Store) Audit(ctx context.Context, es ...AuditEntry) error {
	rows := make([][]any, len(es))
	for i, e := range es {
		rows[i] = []any{e.TS.UTC(), e.Actor, e.Action, e.Method, e.Path, e.SiteID, e.Subject, e.Detail, uint16(e.Status)}
	}
	if err := s.insertRows(ctx, "audit_log", []string{"ts", "actor", "action", "method", "path", "site_id", "subject", "detail", "status"}, rows...); err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	return nil
}

// AuditLog returns the latest entries, newest first.
func (s *Store) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	rows, err := s.Conn.Query(ctx, "SELECT ts, actor, action, method, path, site_id, subject, detail, status FROM "+
		s.Dialect.DB+".audit_log ORDER BY ts DESC LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("query audit_log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var st uint16
		if err := rows.Scan(&e.TS, &e.Actor, &e.Action, &e.Method, &e.Path, &e.SiteID, &e.Subject, &e.Detail, &st); err != nil {
			return nil, fmt.Errorf("scan audit_log: %w", err)
		}
		e.Status = int(st)
		out = append(out, e)
	}
	return out, rows.Err()
}
