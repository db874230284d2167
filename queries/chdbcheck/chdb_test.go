// Package chdbcheck proves that every migration, named query and export statement in
// queries/ runs on a current ClickHouse engine (chDB, ClickHouse 26.x
// in-process), rendered with the dialect of a current server. It is a
// separate module because chdb-go needs libchdb.so at init: `make test`
// downloads it (npm pack @chdb/lib-linux-x64-gnu) and sets CHDB_LIB_PATH.
package chdbcheck

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	chdbpkg "github.com/chdb-io/chdb-go/chdb"

	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"
	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/queries"
)

// params are literal values for the named parameters of the queries.
var params = map[string]string{
	"site": "'demo'", "from": "toDateTime('2026-01-01 00:00:00')", "to": "toDateTime('2027-01-01 00:00:00')",
	"tz": "'Asia/Tokyo'", "day": "toDate('2026-11-27')", "min_count": "1", "limit": "10",
	"visitor": "'v1'", "audience": "'a1'", "user": "'u1'", "consent_id": "'c1'",
	"purposes": "['advertising']", "revision": "1",
}

var named = regexp.MustCompile(`@([a-z_]+)`)

// chdb is the one chDB session of the package, with the migrations applied.
var chdb struct {
	once    sync.Once
	dir     string
	sess    *chdbpkg.Session
	dialect queries.Dialect
	version string
	err     error
}

// TestMain closes the session and removes its folder after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if chdb.sess != nil {
		chdb.sess.Close()
	}
	if chdb.dir != "" {
		os.RemoveAll(chdb.dir)
	}
	os.Exit(code)
}

// migrated returns the package's chDB session, with every migration
// applied, and the dialect of its ClickHouse version.
func migrated(t *testing.T) (*chdbpkg.Session, queries.Dialect, string) {
	t.Helper()
	if os.Getenv("CHDB_LIB_PATH") == "" {
		t.Fatal("CHDB_LIB_PATH is not set: make test downloads libchdb.so and sets it")
	}
	chdb.once.Do(func() { chdb.err = openMigrated() })
	if chdb.err != nil {
		t.Fatal(chdb.err)
	}
	return chdb.sess, chdb.dialect, chdb.version
}

func openMigrated() error {
	dir, err := os.MkdirTemp("", "chdbcheck")
	if err != nil {
		return err
	}
	chdb.dir = dir
	sess, err := chdbpkg.NewSession(dir)
	if err != nil {
		return err
	}
	v, err := sess.Query("SELECT version()", "TSV")
	if err != nil {
		return err
	}
	version := strings.TrimSpace(v.String())
	var hs proto.ServerHandshake
	hs.Version = proto.ParseVersion(version)
	d := store.DialectFor("ashiato", hs, store.Config{})
	if !d.LowCardinality || !d.TTL || !d.DedupToken {
		return fmt.Errorf("dialect for %s lacks current features: %+v", version, d)
	}
	if _, err := sess.Query("CREATE DATABASE IF NOT EXISTS ashiato", "TSV"); err != nil {
		return err
	}
	for _, m := range queries.Migrations() {
		stmt, err := m.Statement(d)
		if err != nil {
			return err
		}
		if _, err := sess.Query(stmt, "TSV"); err != nil {
			return fmt.Errorf("migration %s on ClickHouse %s: %v\n%s", m.Name, version, err, stmt)
		}
	}
	chdb.sess, chdb.dialect, chdb.version = sess, d, version
	return nil
}

func TestQueriesRunOnCurrentClickHouse(t *testing.T) {
	sess, d, version := migrated(t)
	t.Logf("chDB ClickHouse %s", version)
	for _, name := range append(queries.Names(), queries.Exports()...) {
		t.Run(name, func(t *testing.T) {
			sql, err := queries.Render(name, d)
			if err != nil {
				t.Fatal(err)
			}
			sql = named.ReplaceAllStringFunc(sql, func(m string) string {
				v, ok := params[m[1:]]
				if !ok {
					t.Fatalf("query %s uses parameter %s: add a test value to params in queries/chdbcheck/chdb_test.go", name, m)
				}
				return v
			})
			if _, err := sess.Query(sql, "TSV"); err != nil {
				t.Fatalf("query %s: %v\n%s", name, err, sql)
			}
		})
	}
}
