package store

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// TraitsRow is one user's imported traits.
type TraitsRow struct {
	UserID string // as stored
	Traits map[string]string
}

// SaveTraits stores imported traits: each row replaces the user's earlier
// traits (the latest imported_at wins).
func (s *Store) SaveTraits(ctx context.Context, site, importID string, at time.Time, rows []TraitsRow) error {
	out := make([][]any, len(rows))
	for i, r := range rows {
		keys := make([]string, 0, len(r.Traits))
		for k := range r.Traits {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		vals := make([]string, len(keys))
		for j, k := range keys {
			vals[j] = r.Traits[k]
		}
		out[i] = []any{site, r.UserID, "", keys, vals, importID, at.UTC()}
	}
	if err := s.insertRows(ctx, "traits", []string{"site_id", "user_id", "visitor_id", "keys", "values", "import_id", "imported_at"}, out...); err != nil {
		return fmt.Errorf("save traits: %w", err)
	}
	return nil
}

// ImportedTraits returns the current imported traits of site's users
// (user ID as stored → key → value).
func (s *Store) ImportedTraits(ctx context.Context, site string, users []string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	if len(users) == 0 {
		return out, nil
	}
	rows, err := s.Conn.Query(ctx, "SELECT user_id, argMax(keys, imported_at), argMax(values, imported_at) FROM "+
		s.Dialect.DB+".traits WHERE site_id = ? AND user_id IN ? GROUP BY user_id", site, set(users))
	if err != nil {
		return nil, fmt.Errorf("query traits: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u string
		var keys, vals []string
		if err := rows.Scan(&u, &keys, &vals); err != nil {
			return nil, fmt.Errorf("scan traits: %w", err)
		}
		m := map[string]string{}
		for i, k := range keys {
			if i < len(vals) {
				m[k] = vals[i]
			}
		}
		out[u] = m
	}
	return out, rows.Err()
}
