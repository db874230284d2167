package store

import (
	"context"
	"fmt"
	"time"

	"github.com/ashiato/ashiato/collector/consent"
)

var _ consent.SaltStore = (*Store)(nil)

// Salts returns the candidate salts of days.
func (s *Store) Salts(ctx context.Context, days []time.Time) (map[time.Time][]consent.Salt, error) {
	ds := make([]string, len(days))
	for i, d := range days {
		ds[i] = d.Format(time.DateOnly)
	}
	rows, err := s.Conn.Query(ctx, "SELECT day, salt, created FROM "+s.Dialect.DB+".salts WHERE day IN ?", set(ds))
	if err != nil {
		return nil, fmt.Errorf("query salts: %w", err)
	}
	defer rows.Close()
	out := map[time.Time][]consent.Salt{}
	for rows.Next() {
		var day, created time.Time
		var v string
		if err := rows.Scan(&day, &v, &created); err != nil {
			return nil, fmt.Errorf("scan salt: %w", err)
		}
		var c consent.Salt
		if len(v) != len(c.Value) {
			continue
		}
		copy(c.Value[:], v)
		c.Day = consent.Day(time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC))
		c.Created = created.UTC()
		out[c.Day] = append(out[c.Day], c)
	}
	return out, rows.Err()
}

// AddSalt records a candidate salt.
func (s *Store) AddSalt(ctx context.Context, c consent.Salt) error {
	err := s.insertRows(ctx, "salts", []string{"day", "salt", "created"},
		[]any{c.Day, string(c.Value[:]), c.Created})
	if err != nil {
		return fmt.Errorf("insert salt: %w", err)
	}
	return nil
}

// DeleteSaltsBefore destroys the salts of every day before day. On servers
// without lightweight deletes this is a mutation; it is issued only when
// such rows exist, so the table does not collect no-op mutations.
func (s *Store) DeleteSaltsBefore(ctx context.Context, day time.Time) error {
	var n uint64
	row := s.Conn.QueryRow(ctx, "SELECT count() FROM "+s.Dialect.DB+".salts WHERE day < ?", day.Format(time.DateOnly))
	if err := row.Scan(&n); err != nil {
		return fmt.Errorf("count old salts: %w", err)
	}
	if n == 0 {
		return nil
	}
	if err := s.Alter(ctx, "salts", "DELETE WHERE day < ?", day.Format(time.DateOnly)); err != nil {
		return fmt.Errorf("delete old salts: %w", err)
	}
	return nil
}
