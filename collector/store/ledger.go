package store

import (
	"context"
	"fmt"
	"time"

	"github.com/ashiato/ashiato/collector/consent"
)

var ledgerColumns = []string{"consent_id", "site_id", "ts", "visitor_id", "user_id", "granted", "denied",
	"revision", "texts_hash", "method", "lang", "gpc", "ua_family", "expires_at"}

// RecordDecision appends a decision to the consent ledger at once. The
// ledger is append-only: withdrawals are new rows, never updates. The
// collector records decisions through its consent spool and
// InsertEntriesOnce; this is for tools and tests that write one row.
func (s *Store) RecordDecision(ctx context.Context, d consent.Decision) error {
	return s.insertRows(ctx, "consent_log", ledgerColumns, decisionRow(d))
}

// decisionRow is the consent_log row of d, in the order of ledgerColumns.
func decisionRow(d consent.Decision) []any {
	var gpc uint8
	if d.GPC {
		gpc = 1
	}
	return []any{
		d.ConsentID, d.SiteID, d.TS, d.VisitorID, d.UserID, nonNil(d.Granted), nonNil(d.Denied),
		uint32(d.Revision), d.TextsHash, d.Method, d.Lang, gpc, d.UAFamily, d.ExpiresAt,
	}
}

// SaveBannerConfig stores the configuration of a revision under its texts
// hash, once (ReplacingMergeTree keeps one row per hash).
func (s *Store) SaveBannerConfig(ctx context.Context, c consent.BannerConfig) error {
	var n uint64
	err := s.Conn.QueryRow(ctx, "SELECT count() FROM "+s.Dialect.DB+".consent_texts WHERE site_id = ? AND texts_hash = ?", c.Site, c.TextsHash).Scan(&n)
	if err != nil {
		return fmt.Errorf("look up banner texts: %w", err)
	}
	if n > 0 {
		return nil
	}
	return s.insertRows(ctx, "consent_texts", []string{"site_id", "texts_hash", "revision", "config_json", "first_seen"},
		[]any{c.Site, c.TextsHash, uint32(c.Revision), c.JSON(), time.Now()})
}

// Proof is the record of one consent ID: every ledger row with it and the
// banner configuration (texts and recipients) that was shown.
type Proof struct {
	ConsentID string             `json:"consent_id"`
	Rows      []consent.Decision `json:"decisions"`
	Shown     map[string]string  `json:"shown"` // texts_hash → configuration JSON
}

// ConsentProof returns the proof of consentID, or nil when it is unknown.
func (s *Store) ConsentProof(ctx context.Context, consentID string) (*Proof, error) {
	rows, err := s.Conn.Query(ctx, "SELECT consent_id, site_id, ts, visitor_id, user_id, granted, denied, revision, texts_hash, method, lang, gpc, ua_family, expires_at FROM "+
		s.Dialect.DB+".consent_log WHERE consent_id = ? ORDER BY ts", consentID)
	if err != nil {
		return nil, fmt.Errorf("query consent_log: %w", err)
	}
	defer rows.Close()
	p := &Proof{ConsentID: consentID, Shown: map[string]string{}}
	for rows.Next() {
		var d consent.Decision
		var rev uint32
		var gpc uint8
		if err := rows.Scan(&d.ConsentID, &d.SiteID, &d.TS, &d.VisitorID, &d.UserID, &d.Granted, &d.Denied, &rev, &d.TextsHash, &d.Method, &d.Lang, &gpc, &d.UAFamily, &d.ExpiresAt); err != nil {
			return nil, fmt.Errorf("scan consent_log: %w", err)
		}
		d.Revision, d.GPC = int(rev), gpc == 1
		p.Rows = append(p.Rows, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(p.Rows) == 0 {
		return nil, nil
	}
	for _, d := range p.Rows {
		if _, ok := p.Shown[d.TextsHash]; ok {
			continue
		}
		var cfg string
		err := s.Conn.QueryRow(ctx, "SELECT any(config_json) FROM "+s.Dialect.DB+".consent_texts WHERE site_id = ? AND texts_hash = ?", d.SiteID, d.TextsHash).Scan(&cfg)
		if err != nil {
			return nil, fmt.Errorf("query consent_texts: %w", err)
		}
		p.Shown[d.TextsHash] = cfg
	}
	return p, nil
}

// LedgerRow returns the consent_log columns and the row of d, as a
// `SELECT *` of consent_log reads them.
func LedgerRow(d consent.Decision) ([]string, []any) { return ledgerColumns, decisionRow(d) }
