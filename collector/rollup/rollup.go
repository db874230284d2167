// Package rollup keeps the visits rollup (queries/migrations/0040_visits,
// 0041_visits_days) in step with events: Refresh compares each (site, UTC
// day) of events with the build it last made for it, rebuilds the days that
// differ (late events, erasures, retention), and drops the builds they
// replace. Visit reports then read one narrow row per visit instead of
// regrouping every event (docs/BENCHMARKS.md, "Report speed").
package rollup

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/queries/rollups"
)

// Result says what a refresh did.
type Result struct {
	Rebuilt []Day // days built again (or for the first time)
	Removed []Day // days whose events are gone (retention): their visits dropped
}

// Day is one site's UTC day.
type Day struct {
	Site string
	Day  string // YYYY-MM-DD
}

// state is the event figures of a day: what events hold, or what a build
// was made from.
type state struct {
	version          uint64
	events, checksum uint64
}

// Refresh brings the visits rollup up to date with events. Builds are
// versioned by now (nanoseconds); a build drops only older builds of its
// day, so concurrent refreshes leave the newest one.
func Refresh(ctx context.Context, st *store.Store, now func() time.Time) (Result, error) {
	return RefreshSince(ctx, st, now, "")
}

// RefreshSince is Refresh for the days from since (YYYY-MM-DD, UTC) on;
// "" means every day.
func RefreshSince(ctx context.Context, st *store.Store, now func() time.Time, since string) (Result, error) {
	var res Result
	current, err := dayStates(ctx, st, "events_by_day")
	if err != nil {
		return res, err
	}
	built, err := dayStates(ctx, st, "visits_built")
	if err != nil {
		return res, err
	}
	days := slices.SortedFunc(maps.Keys(current), func(a, b Day) int { // newest first: they are read most
		return cmp.Or(strings.Compare(b.Day, a.Day), strings.Compare(a.Site, b.Site))
	})
	for _, d := range days {
		cur := current[d]
		if d.Day < since {
			break // newest first: the rest are older
		}
		if b, ok := built[d]; ok && b.events == cur.events && b.checksum == cur.checksum {
			continue
		}
		if err := build(ctx, st, d, cur, uint64(now().UnixNano())); err != nil {
			return res, err
		}
		res.Rebuilt = append(res.Rebuilt, d)
	}
	for d, b := range built {
		if _, ok := current[d]; ok || b.events == 0 || d.Day < since {
			continue
		}
		// No events left: record an empty build and drop the visits.
		if err := build(ctx, st, d, state{}, uint64(now().UnixNano())); err != nil {
			return res, err
		}
		res.Removed = append(res.Removed, d)
	}
	return res, nil
}

// dayStates runs events_by_day or visits_built.
func dayStates(ctx context.Context, st *store.Store, name string) (map[Day]state, error) {
	q, err := rollups.Render(name, st.Dialect.DB)
	if err != nil {
		return nil, err
	}
	rows, err := st.Conn.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("rollup: %s: %w", name, err)
	}
	defer rows.Close()
	out := map[Day]state{}
	for rows.Next() {
		var d Day
		var s state
		if name == "visits_built" {
			err = rows.Scan(&d.Site, &d.Day, &s.version, &s.events, &s.checksum)
		} else {
			err = rows.Scan(&d.Site, &d.Day, &s.events, &s.checksum)
		}
		if err != nil {
			return nil, fmt.Errorf("rollup: %s: %w", name, err)
		}
		out[d] = s
	}
	return out, rows.Err()
}

// build builds the visits of d under version (none when cur has no
// events), records the figures it was made from, then drops the builds it
// replaces.
func build(ctx context.Context, st *store.Store, d Day, cur state, version uint64) error {
	day, err := time.Parse(time.DateOnly, d.Day)
	if err != nil {
		return fmt.Errorf("rollup: day %q: %w", d.Day, err)
	}
	if cur.events > 0 {
		q, err := rollups.Render("visits_build", st.Dialect.DB)
		if err != nil {
			return err
		}
		err = st.Conn.Exec(ctx, q, clickhouse.Named("site", d.Site), clickhouse.Named("day", d.Day),
			clickhouse.Named("from", day.Unix()), clickhouse.Named("to", day.AddDate(0, 0, 1).Unix()),
			clickhouse.Named("version", version))
		if err != nil {
			return fmt.Errorf("rollup: build visits of %s %s: %w", d.Site, d.Day, err)
		}
	}
	b, err := st.Conn.PrepareBatch(ctx, "INSERT INTO "+st.Dialect.DB+".visits_days (site_id, day, version, events, checksum, built_at)")
	if err != nil {
		return fmt.Errorf("rollup: record build: %w", err)
	}
	defer b.Close()
	if err := b.Append(d.Site, day, version, cur.events, cur.checksum, time.Now()); err != nil {
		return fmt.Errorf("rollup: record build: %w", err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("rollup: record build: %w", err)
	}
	return dropOlder(ctx, st, d, version)
}

// dropOlder drops every build of d older than version: the one it
// replaces, and any a concurrent refresh left behind. Each build is a
// partition of its own, (day, version), so nothing else goes with it.
func dropOlder(ctx context.Context, st *store.Store, d Day, version uint64) error {
	rows, err := st.Conn.Query(ctx, "SELECT DISTINCT version FROM "+st.Dialect.DB+
		".visits WHERE site_id = ? AND day = toDate(?) AND version < ?", d.Site, d.Day, version)
	if err != nil {
		return fmt.Errorf("rollup: find the replaced builds of %s %s: %w", d.Site, d.Day, err)
	}
	var old []uint64
	for rows.Next() {
		var v uint64
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("rollup: find the replaced builds of %s %s: %w", d.Site, d.Day, err)
		}
		old = append(old, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("rollup: find the replaced builds of %s %s: %w", d.Site, d.Day, err)
	}
	for _, v := range old {
		// d.Day was parsed as a date by build: no quoting issue.
		q := fmt.Sprintf("ALTER TABLE %s.visits %s DROP PARTITION ('%s', %d)", st.Dialect.DB, st.Dialect.OnCluster(), d.Day, v)
		if err := st.Conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("rollup: drop the replaced build of %s %s: %w", d.Site, d.Day, err)
		}
	}
	return nil
}
