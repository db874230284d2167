package privacy

import (
	"context"
	"log/slog"
	"time"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/store"
)

// Retention enforces each site's retention limits: raw events older than
// retention_days and ledger rows older than ledger_retention_days are
// deleted, events only after their days were kept as aggregates in
// daily_stats. Whole months that every site's limit has passed go by
// partition drop (cheap); the rest by mutations. (ClickHouse 18.16 has no
// TTL; on newer servers the same job works unchanged.) The unlinked
// identity rows that withdrawals leave go an hour after the withdrawal.
type Retention struct {
	Store *store.Store
	Sites []*collector.Site
	Log   *slog.Logger
	Now   func() time.Time
	// AuditDays is how long audit_log rows are kept; 0 keeps them.
	AuditDays int
}

// RetentionReport is what one run did.
type RetentionReport struct {
	AggregatedDays map[string]uint64   `json:"aggregated_days"`    // site → days written to daily_stats
	Dropped        map[string][]string `json:"dropped_partitions"` // table → partitions
	Deleted        map[string]uint64   `json:"deleted_rows"`       // table → rows deleted by mutation (identities: removed links whose unlinked rows went)
}

type retentionTable struct {
	name string
	days func(*collector.Site) int
}

var retentionTables = []retentionTable{
	{"events", func(s *collector.Site) int { return s.RetentionDays }},
	{"consent_log", func(s *collector.Site) int { return s.LedgerRetentionDays }},
	{"event_subjects", func(s *collector.Site) int { return s.RetentionDays }},         // the index of events
	{"consent_subjects", func(s *collector.Site) int { return s.LedgerRetentionDays }}, // the index of the ledger
	{"consent_revoked", func(s *collector.Site) int { return s.LedgerRetentionDays }},  // revocations kept as the ledger
}

// cutoff is the start (in the site's time zone) of the oldest day kept.
func cutoff(now time.Time, site *collector.Site, days int) time.Time {
	loc, err := time.LoadLocation(site.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	t := now.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day()-days, 0, 0, 0, 0, loc)
}

// Run enforces the limits once and waits for its mutations.
func (r *Retention) Run(ctx context.Context) (RetentionReport, error) {
	now := time.Now()
	if r.Now != nil {
		now = r.Now()
	}
	rep := RetentionReport{AggregatedDays: map[string]uint64{}, Dropped: map[string][]string{}, Deleted: map[string]uint64{}}
	if len(r.Sites) == 0 {
		return rep, nil
	}
	// Aggregates first: a day's counts are kept before any of its rows go.
	for _, site := range r.Sites {
		c := cutoff(now, site, site.RetentionDays)
		n, err := r.Store.AggregateDays(ctx, site.ID, site.TimeZone, c)
		if err != nil {
			return rep, err
		}
		if n > 0 {
			rep.AggregatedDays[site.ID] = n
		}
	}
	for _, t := range retentionTables {
		// A month partition holds every site: it may go when the site that
		// keeps the longest is past it (a day of margin for time zones).
		oldest := now
		for _, site := range r.Sites {
			if c := cutoff(now, site, t.days(site)); c.Before(oldest) {
				oldest = c
			}
		}
		parts, err := r.Store.Partitions(ctx, t.name)
		if err != nil {
			return rep, err
		}
		for _, p := range parts {
			month, err := time.Parse("200601", p)
			if err != nil {
				continue
			}
			if !month.AddDate(0, 1, 1).After(oldest) {
				if err := r.Store.DropPartition(ctx, t.name, p); err != nil {
					return rep, err
				}
				rep.Dropped[t.name] = append(rep.Dropped[t.name], p)
			}
		}
		for _, site := range r.Sites {
			n, err := r.Store.DeleteBefore(ctx, t.name, site.ID, cutoff(now, site, t.days(site)))
			if err != nil {
				return rep, err
			}
			rep.Deleted[t.name] += n
		}
		if err := r.Store.WaitMutations(ctx, t.name); err != nil {
			return rep, err
		}
	}
	if err := r.auditRetention(ctx, now, &rep); err != nil {
		return rep, err
	}
	// The unlinked rows that withdrawals leave (Service.Unlink): needed
	// only until the deletion of the link rows they shadow has run.
	n, err := r.Store.DeleteUnlinkedBefore(ctx, now.Add(-keepUnlinked))
	if err != nil {
		return rep, err
	}
	if n > 0 {
		rep.Deleted["identities"] = uint64(n)
		if err := r.Store.WaitMutations(ctx, "identities"); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// keepUnlinked is how long an unlinked identity row is kept after the link
// was removed: far longer than the deletion of the link rows takes.
const keepUnlinked = time.Hour

// Loop runs the job after first and then every period until ctx ends.
func (r *Retention) Loop(ctx context.Context, first, period time.Duration) {
	wait := first
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = period
		rep, err := r.Run(ctx)
		if err != nil {
			if ctx.Err() == nil {
				r.Log.Error("retention job", "err", err)
			}
			continue
		}
		r.Log.Info("retention job done", "dropped", rep.Dropped, "deleted", rep.Deleted, "aggregated_days", rep.AggregatedDays)
	}
}
