package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// insertRows writes rows into table with an explicit column list through
// a prepared batch. (A plain `INSERT … VALUES` through Exec hangs on
// ClickHouse 18.16, which waits for a data block; batches work on every
// version.)
func (s *Store) insertRows(ctx context.Context, table string, columns []string, rows ...[]any) error {
	q := "INSERT INTO " + s.Dialect.DB + "." + table + " (" + strings.Join(columns, ", ") + ")"
	b, err := s.Conn.PrepareBatch(ctx, q)
	if err != nil {
		return fmt.Errorf("prepare insert into %s: %w", table, err)
	}
	defer b.Close()
	for _, r := range rows {
		if err := b.Append(r...); err != nil {
			return fmt.Errorf("append to %s: %w", table, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	return nil
}

// set renders values as a parenthesised list for `x IN ?`: a bound Go
// slice becomes an array literal, which ClickHouse 18.16 rejects after IN.
func set[T any](vals []T) clickhouse.GroupSet {
	g := clickhouse.GroupSet{Value: make([]any, len(vals))}
	for i, v := range vals {
		g.Value[i] = v
	}
	return g
}
