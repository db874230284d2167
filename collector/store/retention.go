package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// AggregateDays writes the daily aggregates (pageviews, events, unique
// visitors: no identifier) of site for every day before cutoffDay (a date
// in time zone tz) that daily_stats does not hold yet. It returns the days
// written. Days are aggregated once: a day's row is never recomputed from
// events that retention has started to delete.
func (s *Store) AggregateDays(ctx context.Context, site, tz string, cutoffDay time.Time) (uint64, error) {
	db := s.Dialect.DB
	day := cutoffDay.Format(time.DateOnly)
	var n uint64
	err := s.Conn.QueryRow(ctx, `SELECT uniqExact(toDate(ts, ?)) FROM `+db+`.events
		WHERE site_id = ? AND toDate(ts, ?) < toDate(?)
		  AND toDate(ts, ?) NOT IN (SELECT day FROM `+db+`.daily_stats WHERE site_id = ?)`,
		tz, site, tz, day, tz, site).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("find days to aggregate: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	err = s.Conn.Exec(ctx, `INSERT INTO `+db+`.daily_stats (site_id, day, pageviews, events, visitors, computed_at)
		SELECT site_id, toDate(ts, ?) AS d, countIf(type = 'pageview' AND is_bot = 0), count(),
		       uniqExactIf(if(visitor_id != '', cityHash64(visitor_id), visitor_hash), is_bot = 0), now()
		FROM `+db+`.events
		WHERE site_id = ? AND toDate(ts, ?) < toDate(?)
		  AND toDate(ts, ?) NOT IN (SELECT day FROM `+db+`.daily_stats WHERE site_id = ?)
		GROUP BY site_id, d`,
		tz, site, tz, day, tz, site)
	if err != nil {
		return 0, fmt.Errorf("aggregate days: %w", err)
	}
	return n, nil
}

// DailyStat is one row of daily_stats.
type DailyStat struct {
	SiteID    string    `json:"site_id"`
	Day       time.Time `json:"day"`
	Pageviews uint64    `json:"pageviews"`
	Events    uint64    `json:"events"`
	Visitors  uint64    `json:"visitors"`
}

// DailyStats returns the aggregates of a site, by day.
func (s *Store) DailyStats(ctx context.Context, site string) ([]DailyStat, error) {
	rows, err := s.Conn.Query(ctx, `SELECT site_id, day, argMax(pageviews, computed_at), argMax(events, computed_at), argMax(visitors, computed_at)
		FROM `+s.Dialect.DB+`.daily_stats WHERE site_id = ? GROUP BY site_id, day ORDER BY day`, site)
	if err != nil {
		return nil, fmt.Errorf("query daily_stats: %w", err)
	}
	defer rows.Close()
	var out []DailyStat
	for rows.Next() {
		var d DailyStat
		if err := rows.Scan(&d.SiteID, &d.Day, &d.Pageviews, &d.Events, &d.Visitors); err != nil {
			return nil, fmt.Errorf("scan daily_stats: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Partitions returns the active partitions of table (for tables
// partitioned by toYYYYMM: "202401", ...), on every node of a cluster.
func (s *Store) Partitions(ctx context.Context, table string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	err := s.queryNodes(ctx, "SELECT DISTINCT partition FROM system.parts WHERE database = ? AND table = ? AND active",
		func(rows driver.Rows) error {
			var p string
			if err := rows.Scan(&p); err != nil {
				return err
			}
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
			return nil
		}, s.Dialect.DB, s.localTable(table))
	if err != nil {
		return nil, fmt.Errorf("list partitions of %s: %w", table, err)
	}
	sort.Strings(out)
	return out, nil
}

// DropPartition drops a whole partition of table, given as listed by
// Partitions (a month YYYYMM: digits only, so it is safe to inline).
func (s *Store) DropPartition(ctx context.Context, table, partition string) error {
	for _, r := range partition {
		if r < '0' || r > '9' {
			return fmt.Errorf("drop partition %q of %s: want a YYYYMM partition", partition, table)
		}
	}
	if err := s.Alter(ctx, table, "DROP PARTITION "+partition); err != nil {
		return fmt.Errorf("drop partition %s of %s: %w", partition, table, err)
	}
	return nil
}

// DeleteBefore deletes the rows of site in table older than cutoff by
// mutation, when there are any, and returns how many there were.
func (s *Store) DeleteBefore(ctx context.Context, table, site string, cutoff time.Time) (uint64, error) {
	return s.deleteWhere(ctx, table, "site_id = ? AND ts < ?", site, cutoff.UTC())
}

// DeleteOlder deletes the rows of table (of every site) older than cutoff
// by mutation, when there are any, and returns how many there were.
func (s *Store) DeleteOlder(ctx context.Context, table string, cutoff time.Time) (uint64, error) {
	return s.deleteWhere(ctx, table, "ts < ?", cutoff.UTC())
}

// deleteWhere counts the rows of table that match where and deletes them
// by mutation when there are any: no mutation (a rewrite of parts on
// older servers) for nothing.
func (s *Store) deleteWhere(ctx context.Context, table, where string, args ...any) (uint64, error) {
	return s.deleteOrUpdate(ctx, table, "DELETE", where, args...)
}
