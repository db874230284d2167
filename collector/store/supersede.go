package store

import (
	"context"
	"fmt"
	"time"

	"github.com/ashiato/ashiato/collector/consent"
)

var _ consent.LedgerReader = (*Store)(nil)

// SupersedingDecisions returns, for every subject (site, visitor ID) with
// two or more ledger decisions not expired at now, its latest consent ID:
// the subject's earlier tokens are superseded. Consent IDs are version 7
// UUIDs, whose text sorts by time. Subjects pseudonymised by an erasure
// are left out (the erasure itself revokes their tokens).
func (s *Store) SupersedingDecisions(ctx context.Context, now time.Time) ([]consent.LatestDecision, error) {
	return s.decisionRows(ctx, "SELECT site_id, visitor_id, max(consent_id) FROM "+s.Dialect.DB+".consent_log WHERE expires_at > ?"+
		subjectKept+" GROUP BY site_id, visitor_id HAVING count() > 1", now.UTC())
}

// DecisionsSince returns the subject and consent ID of every ledger
// decision recorded at or after since: a subject with several comes once
// per decision, and the reader keeps the latest. Not grouped by subject in
// ClickHouse: the revocation set reads every 2 s all the decisions of the
// last 30 s (consent.Overlap), and ClickHouse's GROUP BY of them took both
// cores of the 2-core test machine each time, beside the collector (304,280
// rows on 18.16: 83–222 ms grouped, 36–59 ms not). The month partitions
// before since are not read.
func (s *Store) DecisionsSince(ctx context.Context, since time.Time) ([]consent.LatestDecision, error) {
	return s.decisionRows(ctx, "SELECT site_id, visitor_id, consent_id FROM "+s.Dialect.DB+".consent_log WHERE ts >= ?"+
		subjectKept, since.UTC().Truncate(time.Second))
}

// subjectKept leaves out rows without a visitor ID and the subjects
// pseudonymised by an erasure (the erasure itself revokes their tokens).
const subjectKept = " AND visitor_id != '' AND visitor_id NOT LIKE 'erased:%'"

// decisionRows runs query, which selects site, visitor ID and consent ID.
func (s *Store) decisionRows(ctx context.Context, query string, arg any) ([]consent.LatestDecision, error) {
	rows, err := s.Conn.Query(ctx, query, arg)
	if err != nil {
		return nil, fmt.Errorf("query consent_log: %w", err)
	}
	defer rows.Close()
	var out []consent.LatestDecision
	for rows.Next() {
		var d consent.LatestDecision
		if err := rows.Scan(&d.Site, &d.VisitorID, &d.ConsentID); err != nil {
			return nil, fmt.Errorf("scan consent_log: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// RecordRevocation stores that a later decision superseded consentID, a
// decision that bound no visitor ID, whose token expires at expiresAt.
func (s *Store) RecordRevocation(ctx context.Context, site, consentID string, revokedAt, expiresAt time.Time) error {
	return s.insertRows(ctx, "consent_revoked", revokedColumns, []any{site, consentID, revokedAt.UTC().Truncate(time.Second), expiresAt.UTC().Truncate(time.Second)})
}

var revokedColumns = []string{"site_id", "consent_id", "ts", "expires_at"}

// RevokedSince returns the consent IDs revoked at or after since whose
// tokens have not expired at now.
func (s *Store) RevokedSince(ctx context.Context, since, now time.Time) ([]string, error) {
	rows, err := s.Conn.Query(ctx, "SELECT DISTINCT consent_id FROM "+s.Dialect.DB+
		".consent_revoked WHERE ts >= ? AND expires_at > ?", since.UTC().Truncate(time.Second), now.UTC())
	if err != nil {
		return nil, fmt.Errorf("query consent_revoked: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan consent_revoked: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
