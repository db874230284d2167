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
	return s.latestDecisions(ctx, "expires_at > ?", "HAVING count() > 1", now.UTC())
}

// DecisionsSince returns, for every subject with a ledger decision
// recorded at or after since, its latest consent ID. The month partitions
// before since are not read.
func (s *Store) DecisionsSince(ctx context.Context, since time.Time) ([]consent.LatestDecision, error) {
	return s.latestDecisions(ctx, "ts >= ?", "", since.UTC().Truncate(time.Second))
}

func (s *Store) latestDecisions(ctx context.Context, where, having string, arg any) ([]consent.LatestDecision, error) {
	rows, err := s.Conn.Query(ctx, "SELECT site_id, visitor_id, max(consent_id) FROM "+s.Dialect.DB+".consent_log WHERE "+where+
		" AND visitor_id != '' AND visitor_id NOT LIKE 'erased:%' GROUP BY site_id, visitor_id "+having, arg)
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
