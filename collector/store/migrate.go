package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/ashiato/ashiato/queries"
)

// Migrate applies every migration not yet recorded in schema_migrations, in
// order, and records each. Statements are idempotent (IF NOT EXISTS), so a
// run interrupted between a statement and its record is safe to repeat.
// It returns the versions applied. On a cluster every table is created
// as a shard table on every node and a Distributed table over them
// (applyDDL, cluster.go).
func (s *Store) Migrate(ctx context.Context, log *slog.Logger) ([]int, error) {
	d := s.Dialect
	d.Cluster = "" // statements for one server; applyDDL takes them to every node of a cluster
	err := s.applyDDL(ctx, fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s.schema_migrations %s (
		version UInt32, name String, checksum String, applied_at DateTime
	) ENGINE = %s ORDER BY version`, d.DB, d.OnCluster(), d.Engine("ReplacingMergeTree")))
	if err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	done := map[uint32]bool{}
	rows, err := s.Conn.Query(ctx, "SELECT version FROM "+d.DB+".schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		done[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	var applied []int
	for _, m := range queries.Migrations() {
		if done[uint32(m.Version)] {
			continue
		}
		stmt, err := m.Statement(d)
		if err != nil {
			return applied, err
		}
		if err := s.applyDDL(ctx, stmt); err != nil {
			return applied, fmt.Errorf("migration %s: %w", m.Name, err)
		}
		sum := sha256.Sum256([]byte(stmt))
		err = s.insertRows(ctx, "schema_migrations", []string{"version", "name", "checksum", "applied_at"},
			[]any{uint32(m.Version), m.Name, hex.EncodeToString(sum[:8]), time.Now()})
		if err != nil {
			return applied, fmt.Errorf("record migration %s: %w", m.Name, err)
		}
		log.Info("migration applied", "version", m.Version, "name", m.Name)
		applied = append(applied, m.Version)
	}
	return applied, nil
}
