// Package rollup keeps the visits rollup (queries/migrations/0027_visits,
// 0028_visits_days) in step with events: Refresh compares each (site, UTC
// day) of events with the build it last made for it, rebuilds the days
// that differ (late events, erasures, retention) with the stats engine's
// own visit SQL (stats.BuildStatement), and drops the builds they replace.
// The engine reads a day from the rollup only while its newest build
// matches the day's events (stats.Engine.Fresh), so a refresh that lags
// makes answers slower, never wrong.
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

	"github.com/ashiato/ashiato/collector/stats"
	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/queries"
)

// Result says what a refresh did.
type Result struct {
	Rebuilt []Day `json:"rebuilt"` // days built again (or for the first time)
	Removed []Day `json:"removed"` // days whose events are gone (retention): their visits dropped
}

// Day is one site's UTC day.
type Day struct {
	Site string `json:"site"`
	Day  string `json:"day"` // YYYY-MM-DD
}

// state is the event figures of a day: what events hold, or what a build
// was made from.
type state struct {
	events, checksum uint64
}

// Refresh brings the rollup up to date with events for the UTC days from
// since on (the zero time: every day). Builds are versioned by now
// (nanoseconds); a build drops only older builds of its day, so
// concurrent refreshes leave the newest one.
func Refresh(ctx context.Context, st *store.Store, since time.Time, now func() time.Time) (Result, error) {
	var res Result
	since = since.UTC().Truncate(24 * time.Hour)
	if since.Before(time.Unix(0, 0)) {
		since = time.Unix(0, 0)
	}
	current, err := dayStates(ctx, st, "rollups/events_by_day", since)
	if err != nil {
		return res, err
	}
	built, err := dayStates(ctx, st, "rollups/visits_built", since)
	if err != nil {
		return res, err
	}
	days := slices.SortedFunc(maps.Keys(current), func(a, b Day) int { // newest first: they are read most
		return cmp.Or(strings.Compare(b.Day, a.Day), strings.Compare(a.Site, b.Site))
	})
	for _, d := range days {
		cur := current[d]
		if b, ok := built[d]; ok && b == cur {
			continue
		}
		if err := build(ctx, st, d, cur, uint64(now().UnixNano())); err != nil {
			return res, err
		}
		res.Rebuilt = append(res.Rebuilt, d)
	}
	for d, b := range built {
		if _, ok := current[d]; ok || b.events == 0 {
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
func dayStates(ctx context.Context, st *store.Store, name string, since time.Time) (map[Day]state, error) {
	q, err := queries.Render(name, st.Dialect)
	if err != nil {
		return nil, err
	}
	rows, err := st.Conn.Query(ctx, q, clickhouse.Named("since", since.Unix()))
	if err != nil {
		return nil, fmt.Errorf("rollup: %s: %w", name, err)
	}
	defer rows.Close()
	out := map[Day]state{}
	for rows.Next() {
		var d Day
		var s state
		if name == "rollups/visits_built" {
			var version uint64
			err = rows.Scan(&d.Site, &d.Day, &version, &s.events, &s.checksum)
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
		q, err := stats.BuildStatement(st.Dialect)
		if err != nil {
			return err
		}
		err = st.Conn.Exec(ctx, q, clickhouse.Named("site", d.Site), clickhouse.Named("day", d.Day),
			clickhouse.Named("wfrom", day.Unix()), clickhouse.Named("wto", day.AddDate(0, 0, 1).Unix()),
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
		if err := st.Alter(ctx, "visits", fmt.Sprintf("DROP PARTITION ('%s', %d)", d.Day, v)); err != nil {
			return fmt.Errorf("rollup: drop the replaced build of %s %s: %w", d.Site, d.Day, err)
		}
	}
	return nil
}
