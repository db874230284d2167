// Package chtest gives tests a fresh, migrated ClickHouse database on the
// real server that `make test` starts (ASHIATO_TEST_CLICKHOUSE_DSN). Under
// CI a missing server fails the test; elsewhere the test is skipped with
// the reason.
package chtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/store"
)

// Require returns the test server's DSN (ASHIATO_TEST_CLICKHOUSE_DSN). When
// it is not set the test fails under CI and is skipped elsewhere.
func Require(tb testing.TB) string {
	tb.Helper()
	return requireEnv(tb, "ASHIATO_TEST_CLICKHOUSE_DSN", "starts ClickHouse")
}

// requireEnv returns the environment variable name, which `make test`
// sets (what it does to have it: does); when it is not set the test fails
// under CI and is skipped elsewhere.
func requireEnv(tb testing.TB, name, does string) string {
	tb.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv("CI") != "" {
			tb.Fatalf("%s is not set: run the tests with `make test`, which %s", name, does)
		}
		tb.Skipf("%s not set (make test %s); skipping", name, does)
	}
	return v
}

// DSN returns a DSN for a new database with a unique name, and that name.
func DSN(tb testing.TB) (string, string) {
	tb.Helper()
	u, err := url.Parse(Require(tb))
	if err != nil {
		tb.Fatalf("ASHIATO_TEST_CLICKHOUSE_DSN: %v", err)
	}
	var b [4]byte
	rand.Read(b[:])
	name := strings.NewReplacer("/", "_", "-", "_").Replace(strings.ToLower(tb.Name()))
	if len(name) > 40 {
		name = name[:40]
	}
	db := "t_" + name + "_" + hex.EncodeToString(b[:])
	u.Path = "/" + db
	return u.String(), db
}

// New returns a store on a fresh migrated database, dropped at cleanup.
func New(tb testing.TB) *store.Store {
	tb.Helper()
	dsn, _ := DSN(tb)
	return Open(tb, dsn)
}

// Open migrates the database of dsn and returns a store on it; the
// database is dropped at cleanup.
func Open(tb testing.TB, dsn string) *store.Store {
	tb.Helper()
	return OpenConfig(tb, store.Config{DSN: dsn})
}

// OpenConfig is Open with a whole store configuration (a cluster).
func OpenConfig(tb testing.TB, cfg store.Config) *store.Store {
	tb.Helper()
	dsn := cfg.DSN
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := store.Open(ctx, cfg, true)
	if err != nil {
		tb.Fatalf("open clickhouse %s: %v", dsn, err)
	}
	if _, err := st.Migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if os.Getenv("ASHIATO_TEST_KEEP_DB") == "" {
			_ = st.Conn.Exec(ctx, "DROP DATABASE IF EXISTS "+st.Dialect.DB)
		}
		st.Close()
	})
	return st
}
