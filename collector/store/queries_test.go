package store_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/store/chtest"
	"github.com/ashiato/ashiato/queries"
)

// testParams are values for the named parameters of queries/*.sql; the
// chDB check (queries/chdbcheck) runs the same queries on ClickHouse 26.
var testParams = map[string]any{
	"site": "demo", "from": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "to": time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
	"tz": "Asia/Tokyo", "audience": "a1", "purposes": []string{"advertising"}, "revision": 1,
}

var paramRE = regexp.MustCompile(`@([a-z_]+)`)

// TestNamedQueriesRunOnServer runs every named query and export statement
// against the real server (ClickHouse 18.16 here) with a few rows in place.
func TestNamedQueriesRunOnServer(t *testing.T) {
	st := chtest.New(t)
	ev := sampleEvent("demo")
	ev.TS = time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	if err := st.InsertEvents(context.Background(), []collector.Event{ev}); err != nil {
		t.Fatal(err)
	}
	for _, name := range append(queries.Names(), queries.Exports()...) {
		t.Run(name, func(t *testing.T) {
			sql, err := st.Render(name)
			if err != nil {
				t.Fatal(err)
			}
			var args []any
			seen := map[string]bool{}
			for _, m := range paramRE.FindAllStringSubmatch(sql, -1) {
				v, ok := testParams[m[1]]
				if !ok {
					t.Fatalf("query %s uses @%s: add a test value to testParams", name, m[1])
				}
				if !seen[m[1]] {
					args = append(args, clickhouse.Named(m[1], v))
					seen[m[1]] = true
				}
			}
			rows, err := st.Conn.Query(context.Background(), sql, args...)
			if err != nil {
				t.Fatalf("%s: %v\n%s", name, err, sql)
			}
			defer rows.Close()
			for rows.Next() {
			}
			if err := rows.Err(); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		})
	}
}
