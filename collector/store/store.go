// Package store is the ClickHouse stage: it opens the connection, finds out
// what the server supports, applies migrations and writes and reads rows
// with clickhouse-go v2 over the native protocol.
package store

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/ashiato/ashiato/queries"
)

// Config configures the ClickHouse connection.
type Config struct {
	DSN        string `yaml:"clickhouse_dsn"`
	Cluster    string `yaml:"clickhouse_cluster"`    // cluster of remote_servers: *_local + Distributed tables, "" on one server
	Replicated bool   `yaml:"clickhouse_replicated"` // Replicated*MergeTree engines
	// InsertLocal writes events into the shard table of the DSN's node
	// (events_local) instead of through the Distributed table (cluster.go).
	InsertLocal bool `yaml:"clickhouse_insert_local"`
	DialTimeout time.Duration
}

// Store is a connection to ClickHouse and the dialect of its server.
type Store struct {
	Conn    driver.Conn
	Dialect queries.Dialect
	Version driver.ServerVersion

	cluster     *cluster // the nodes of Dialect.Cluster (cluster.go), nil on one server
	insertLocal bool     // Config.InsertLocal on a cluster

	recent   recentIDs    // event IDs stored lately (InsertEventsOnce)
	lookedUp atomic.Int64 // event IDs looked up in ClickHouse before inserting
}

// ParseDSN splits a clickhouse:// DSN into driver options and the database.
func ParseDSN(dsn string) (*clickhouse.Options, string, error) {
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		return nil, "", fmt.Errorf("clickhouse DSN %q: want clickhouse://host:port/database", redact(dsn))
	}
	opt, err := clickhouse.ParseDSN(dsn)
	if err != nil {
		return nil, "", fmt.Errorf("clickhouse DSN %q: %w", redact(dsn), err)
	}
	db := strings.Trim(u.Path, "/")
	if db == "" {
		db = "ashiato"
	}
	for _, r := range db {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return nil, "", fmt.Errorf("clickhouse DSN: database name %q: only letters, digits and _", db)
		}
	}
	opt.Auth.Database = db
	return opt, db, nil
}

// redact hides the password of a DSN for error messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxx")
	}
	return u.String()
}

// Open connects to the server of cfg.DSN. With createDB it first creates
// the database when it is missing (migrate does this; serve does not).
func Open(ctx context.Context, cfg Config, createDB bool) (*Store, error) {
	opt, db, err := ParseDSN(cfg.DSN)
	if err != nil {
		return nil, err
	}
	if cfg.DialTimeout > 0 {
		opt.DialTimeout = cfg.DialTimeout
	} else {
		opt.DialTimeout = 5 * time.Second
	}
	if createDB {
		o := *opt
		o.Auth.Database = "default"
		c, err := clickhouse.Open(&o)
		if err != nil {
			return nil, fmt.Errorf("connect to clickhouse: %w", err)
		}
		err = c.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+db)
		c.Close()
		if err != nil {
			return nil, fmt.Errorf("create database %s: %w", db, err)
		}
	}
	conn, err := clickhouse.Open(opt)
	if err != nil {
		return nil, fmt.Errorf("connect to clickhouse: %w", err)
	}
	if err := conn.Ping(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("ping clickhouse: %w", err)
	}
	v, err := conn.ServerVersion()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("clickhouse server version: %w", err)
	}
	st := &Store{Conn: conn, Version: *v, Dialect: DialectFor(db, *v, cfg)}
	if cfg.Cluster != "" {
		conn.Close()
		if err := st.joinCluster(ctx, opt, cfg, createDB); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// DialectFor returns the features that server version v supports.
func DialectFor(db string, v driver.ServerVersion, cfg Config) queries.Dialect {
	at := func(major, minor uint64) bool {
		return v.Version.Major > major || v.Version.Major == major && v.Version.Minor >= minor
	}
	return queries.Dialect{
		DB:             db,
		LowCardinality: at(19, 9),
		TTL:            at(19, 6),
		Codecs:         at(19, 10),
		DedupToken:     at(22, 2),
		LightDelete:    at(23, 3),
		Cluster:        cfg.Cluster,
		Replicated:     cfg.Replicated,
	}
}

// Close closes the connections.
func (s *Store) Close() error {
	if s.cluster != nil {
		s.cluster.close()
	}
	return s.Conn.Close()
}

// MaxThreads returns the server's max_threads for the collector's user
// ("8", or "auto(8)" on current releases), 0 when it cannot say.
func (s *Store) MaxThreads(ctx context.Context) int {
	var v string
	if err := s.Conn.QueryRow(ctx, "SELECT value FROM system.settings WHERE name = 'max_threads'").Scan(&v); err != nil {
		return 0
	}
	return parseThreads(v)
}

// parseThreads reads a max_threads value: "8" or "auto(8)"; 0 for
// anything else.
func parseThreads(v string) int {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(v, "auto("), ")"))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// Ping reports whether the server answers.
func (s *Store) Ping(ctx context.Context) error { return s.Conn.Ping(ctx) }

// Render renders a named query for this server.
func (s *Store) Render(name string) (string, error) { return queries.Render(name, s.Dialect) }
