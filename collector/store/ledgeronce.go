package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ashiato/ashiato/collector/consent"
)

// InsertEntriesOnce writes the ledger rows of es that are not in ClickHouse
// yet: each entry's decision into consent_log and, for an entry that
// revokes a decision, its row in consent_revoked. The first seen entries
// may be stored already (replayed from the spool after a restart, or handed
// out again after an insert whose outcome is unknown): their consent IDs
// are looked up first, once no insert into the table is still running on
// the server, as InsertEventsOnce does for events; an entry seen for the
// first time costs no lookup (consent IDs are made by the collector, never
// by a client). It returns how many decisions it wrote.
func (s *Store) InsertEntriesOnce(ctx context.Context, es []consent.Entry, seen int) (int, error) {
	seen = min(seen, len(es))
	var rows, revs [][]any
	var check, checkRevs []string
	// The ts spans of the rows to check: both tables are partitioned by it.
	var span, revSpan [2]time.Time
	widen := func(sp *[2]time.Time, t time.Time) {
		if sp[0].IsZero() || t.Before(sp[0]) {
			sp[0] = t
		}
		if t.After(sp[1]) {
			sp[1] = t
		}
	}
	for i, e := range es {
		d := e.Decision
		rows = append(rows, decisionRow(d))
		if i < seen {
			check = append(check, d.ConsentID)
			widen(&span, d.TS)
		}
		if e.Revokes != "" {
			at := d.TS
			if !e.RevokedAt.IsZero() {
				at = e.RevokedAt // a late entry's (consent.Entry.Late); a replay's differs
			}
			revs = append(revs, []any{d.SiteID, e.Revokes, at.UTC().Truncate(time.Second), e.RevokesExpiresAt.UTC().Truncate(time.Second)})
			if i < seen {
				checkRevs = append(checkRevs, e.Revokes)
				widen(&revSpan, d.TS)
				widen(&revSpan, at)
				widen(&revSpan, time.Now())
			}
		}
	}
	rows, err := s.unstoredRows(ctx, "consent_log", ledgerColumns, rows, check, span)
	if err != nil {
		return 0, err
	}
	if len(rows) > 0 {
		if err := s.insertRows(ctx, "consent_log", ledgerColumns, rows...); err != nil {
			return 0, err
		}
	}
	revs, err = s.unstoredRows(ctx, "consent_revoked", revokedColumns, revs, checkRevs, revSpan)
	if err != nil {
		return len(rows), err
	}
	if len(revs) > 0 {
		if err := s.insertRows(ctx, "consent_revoked", revokedColumns, revs...); err != nil {
			return len(rows), err
		}
	}
	return len(rows), nil
}

// unstoredRows returns rows without those whose consent ID (column
// consent_id of columns) is among ids and already stored in table with a
// ts in span.
func (s *Store) unstoredRows(ctx context.Context, table string, columns []string, rows [][]any, ids []string, span [2]time.Time) ([][]any, error) {
	if len(ids) == 0 || len(rows) == 0 {
		return rows, nil
	}
	stmt := "INSERT INTO " + s.Dialect.DB + "." + table + " (" + strings.Join(columns, ", ") + ")"
	if err := s.awaitInserts(ctx, stmt); err != nil {
		return nil, err
	}
	have, err := s.storedConsentIDs(ctx, table, ids, span)
	if err != nil {
		return nil, err
	}
	col := 0
	for i, c := range columns {
		if c == "consent_id" {
			col = i
		}
	}
	out := rows[:0]
	for _, r := range rows {
		id := r[col].(string)
		if have[id] {
			continue
		}
		have[id] = true // a second copy in this batch is a duplicate too
		out = append(out, r)
	}
	return out, nil
}

// storedConsentIDs returns which of ids table holds with a ts in span.
func (s *Store) storedConsentIDs(ctx context.Context, table string, ids []string, span [2]time.Time) (map[string]bool, error) {
	have := make(map[string]bool, len(ids))
	for start := 0; start < len(ids); start += lookupChunk {
		chunk := ids[start:min(start+lookupChunk, len(ids))]
		rows, err := s.Conn.Query(ctx, "SELECT consent_id FROM "+s.Dialect.DB+"."+table+" WHERE ts >= ? AND ts <= ? AND consent_id IN ?",
			span[0].UTC().Truncate(time.Second), span[1].UTC(), set(chunk))
		if err != nil {
			return nil, fmt.Errorf("look up stored consent IDs in %s: %w", table, err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan consent ID: %w", err)
			}
			have[id] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("look up stored consent IDs in %s: %w", table, err)
		}
	}
	return have, nil
}
