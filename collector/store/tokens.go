package store

import (
	"context"
	"fmt"
	"time"
)

// Token is an admin API token as stored: never the token itself, only its
// SHA-256.
type Token struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Hash      string    `json:"-"`
	Scopes    []string  `json:"scopes"`
	CreatedAt time.Time `json:"created_at"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// Revoked reports whether the token was revoked.
func (t *Token) Revoked() bool { return !t.RevokedAt.IsZero() && t.RevokedAt.Unix() > 0 }

// SaveToken writes a token version (a new token, or a revocation).
func (s *Store) SaveToken(ctx context.Context, t Token) error {
	revoked := time.Unix(0, 0).UTC()
	if !t.RevokedAt.IsZero() {
		revoked = t.RevokedAt.UTC()
	}
	return s.insertRows(ctx, "api_tokens", []string{"id", "name", "hash", "scopes", "created_at", "revoked_at", "version"},
		[]any{t.ID, t.Name, t.Hash, nonNil(t.Scopes), t.CreatedAt.UTC(), revoked, uint64(time.Now().UnixNano())})
}

const tokenSelect = `SELECT id, argMax(name, version), argMax(hash, version), argMax(scopes, version),
	argMax(created_at, version), argMax(revoked_at, version) FROM %s.api_tokens %s GROUP BY id ORDER BY id`

// Token returns the current version of token id, or nil.
func (s *Store) Token(ctx context.Context, id string) (*Token, error) {
	ts, err := s.queryTokens(ctx, fmt.Sprintf(tokenSelect, s.Dialect.DB, "WHERE id = ?"), id)
	if err != nil || len(ts) == 0 {
		return nil, err
	}
	return &ts[0], nil
}

// Tokens returns every token, revoked ones included.
func (s *Store) Tokens(ctx context.Context) ([]Token, error) {
	return s.queryTokens(ctx, fmt.Sprintf(tokenSelect, s.Dialect.DB, ""))
}

func (s *Store) queryTokens(ctx context.Context, q string, args ...any) ([]Token, error) {
	rows, err := s.Conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query api_tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		if err := rows.Scan(&t.ID, &t.Name, &t.Hash, &t.Scopes, &t.CreatedAt, &t.RevokedAt); err != nil {
			return nil, fmt.Errorf("scan api_tokens: %w", err)
		}
		if t.RevokedAt.Unix() <= 0 {
			t.RevokedAt = time.Time{}
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
