package rollup

import (
	"context"
	"log/slog"
	"time"

	"github.com/ashiato/ashiato/collector/store"
)

// RecentDays is how far back every refresh looks: late events (a spool
// replayed after an outage, a re-queued beacon) land within it. Older days
// change only by erasure and retention, which the full refresh catches.
const RecentDays = 3

// Loop refreshes the rollup until ctx ends: the recent days every
// interval, every day once an hour (and at the first run). An error is
// logged and tried again next time; the engine reads events meanwhile.
func Loop(ctx context.Context, st *store.Store, interval time.Duration, log *slog.Logger) {
	var lastFull time.Time
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := time.Now()
		since := now.AddDate(0, 0, -RecentDays)
		full := now.Sub(lastFull) >= time.Hour
		if full {
			since = time.Time{}
		}
		res, err := Refresh(ctx, st, since, time.Now)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("rollup refresh failed; reports read events until it succeeds", "err", err)
		case err == nil:
			if full {
				lastFull = now
			}
			if len(res.Rebuilt)+len(res.Removed) > 0 {
				log.Debug("rollup refreshed", "rebuilt", len(res.Rebuilt), "removed", len(res.Removed), "took", time.Since(now))
			}
		}
		t.Reset(interval)
	}
}
