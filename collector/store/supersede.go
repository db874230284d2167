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
