package privacy

import (
	"context"
	"time"
)

// auditRetention enforces AuditDays on audit_log, which holds no site's
// data and so has a limit of its own: whole months past it are dropped,
// older rows of the month the limit falls in go by one mutation (only when
// there are any).
func (r *Retention) auditRetention(ctx context.Context, now time.Time, rep *RetentionReport) error {
	if r.AuditDays <= 0 {
		return nil
	}
	const table = "audit_log"
	cut := now.UTC().AddDate(0, 0, -r.AuditDays)
	parts, err := r.Store.Partitions(ctx, table)
	if err != nil {
		return err
	}
	for _, p := range parts {
		month, err := time.Parse("200601", p)
		if err != nil {
			continue
		}
		if !month.AddDate(0, 1, 0).After(cut) {
			if err := r.Store.DropPartition(ctx, table, p); err != nil {
				return err
			}
			rep.Dropped[table] = append(rep.Dropped[table], p)
		}
	}
	n, err := r.Store.DeleteOlder(ctx, table, cut)
	if err != nil || n == 0 {
		return err
	}
	rep.Deleted[table] = n
	return r.Store.WaitMutations(ctx, table)
}
