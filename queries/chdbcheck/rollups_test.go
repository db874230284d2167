package chdbcheck

import (
	"strings"
	"testing"

	"github.com/ashiato/ashiato/queries"
	"github.com/ashiato/ashiato/queries/rollups"
)

// The rollup job's statements (queries/rollups) run on a current
// ClickHouse too, and build the visits of a day from events: two events of
// one session make one visit with both pages; the replaced build's
// partition drops by its (day, version) tuple. In a database of its own,
// beside the package's migrated one.
func TestRollupsRunOnCurrentClickHouse(t *testing.T) {
	sess, d, _ := migrated(t)
	run := func(q string) string {
		t.Helper()
		r, err := sess.Query(q, "TSV")
		if err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
		return strings.TrimSpace(r.String())
	}
	d.DB = "rollupcheck"
	run("CREATE DATABASE IF NOT EXISTS rollupcheck")
	for _, m := range queries.Migrations() {
		stmt, err := m.Statement(d)
		if err != nil {
			t.Fatal(err)
		}
		run(stmt)
	}
	run(`INSERT INTO rollupcheck.events (event_id, site_id, ts, received_at, type, url_path, session_id, visitor_id, country)
		VALUES (generateUUIDv4(), 'demo', toDateTime('2026-11-27 10:00:00', 'UTC'), now(), 'pageview', '/', 's1', 'v1', 'JP'),
		       (generateUUIDv4(), 'demo', toDateTime('2026-11-27 10:05:00', 'UTC'), now(), 'pageview', '/cart', 's1', 'v1', 'JP')`)
	params := map[string]string{"@site": "'demo'", "@day": "'2026-11-27'", "@from": "1795737600", "@to": "1795824000", "@version": "7"}
	for _, name := range rollups.Names {
		sql, err := rollups.Render(name, "rollupcheck")
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range params {
			sql = strings.ReplaceAll(sql, k, v)
		}
		run(sql)
	}
	if got := run("SELECT count(), any(entry_page), any(exit_page), arrayStringConcat(any(pages), ' ') FROM rollupcheck.visits"); got != "1\t/\t/cart\t/ /cart" {
		t.Fatalf("visits: %q, want one visit from / to /cart", got)
	}
	run("ALTER TABLE rollupcheck.visits DROP PARTITION ('2026-11-27', 7)")
	if got := run("SELECT count() FROM rollupcheck.visits"); got != "0" {
		t.Fatalf("%s visits after dropping the build", got)
	}
}
