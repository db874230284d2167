// Package chdbcheck proves that every migration, named query and export statement in
// queries/ runs on a current ClickHouse engine (chDB, ClickHouse 26.x
// in-process), rendered with the dialect of a current server. It is a
// separate module because chdb-go needs libchdb.so at init: `make test`
// downloads it (npm pack @chdb/lib-linux-x64-gnu) and sets CHDB_LIB_PATH.
package chdbcheck

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chdb-io/chdb-go/chdb"

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

func TestQueriesRunOnCurrentClickHouse(t *testing.T) {
	if os.Getenv("CHDB_LIB_PATH") == "" {
		t.Fatal("CHDB_LIB_PATH is not set: make test downloads libchdb.so and sets it")
	}
	sess, err := chdb.NewSession(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	v, err := sess.Query("SELECT version()", "TSV")
	if err != nil {
		t.Fatal(err)
	}
	version := strings.TrimSpace(v.String())
	t.Logf("chDB ClickHouse %s", version)
	var hs proto.ServerHandshake
	hs.Version = proto.ParseVersion(version)
	d := store.DialectFor("ashiato", hs, store.Config{})
	if !d.LowCardinality || !d.TTL || !d.DedupToken {
		t.Fatalf("dialect for %s lacks current features: %+v", version, d)
	}
	if _, err := sess.Query("CREATE DATABASE IF NOT EXISTS ashiato", "TSV"); err != nil {
		t.Fatal(err)
	}
	for _, m := range queries.Migrations() {
		stmt, err := m.Statement(d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sess.Query(stmt, "TSV"); err != nil {
			t.Fatalf("migration %s on ClickHouse %s: %v\n%s", m.Name, version, err, stmt)
		}
	}
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
