package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ashiato/ashiato/collector/consent"
	"github.com/ashiato/ashiato/collector/pace"
	"github.com/ashiato/ashiato/collector/spool"
)

// Run writes the spooled entries to the store until ctx ends. A batch that
// fails (the store is down, Landed failed) is handed out again after a
// back-off; its entries then count as possibly stored, and
// InsertEntriesOnce looks them up. Records handed out when ctx ends stay in
// the spool for the next start.
func (l *Ledger) Run(ctx context.Context) {
	backoff := pace.Backoff{Max: l.cfg.RetryMax}
	for ctx.Err() == nil {
		start := time.Now()
		b, err := l.spool.Read(ctx, l.cfg.MaxRows, l.cfg.Interval)
		switch {
		case err != nil:
			if ctx.Err() == nil {
				l.log.Error("read consent spool", "err", err)
				pace.Sleep(ctx, time.Second)
			}
			continue
		case len(b.Records) == 0:
			continue
		}
		if err := l.write(ctx, b); err != nil {
			l.spool.Requeue(b)
			if ctx.Err() != nil {
				return
			}
			l.m.errors.Inc()
			wait := backoff.Next()
			l.log.Warn("consent ledger insert failed; will retry", "decisions", len(b.Records), "err", err, "backoff", wait.String())
			pace.Sleep(ctx, wait)
			continue
		}
		backoff.Reset()
		if d := l.cfg.Interval - time.Since(start); d > 0 && len(b.Records) < l.cfg.MaxRows {
			pace.Sleep(ctx, d) // about one insert per interval while no backlog waits
		}
	}
}

// write stores one batch, applies it and confirms it.
func (l *Ledger) write(ctx context.Context, b spool.Batch) error {
	es := make([]consent.Entry, 0, len(b.Records))
	seen := 0
	now := time.Now()
	for i, rec := range b.Records {
		e, err := DecodeEntry(rec)
		if err != nil {
			// The spool's checksums make this a bug, not a disk fault.
			l.m.undecodable.Inc()
			l.log.Error("undecodable consent spool record skipped", "err", err)
			continue
		}
		if l.Finish != nil {
			l.Finish(&e)
		}
		e.Late(now)
		if i < b.Seen {
			seen = len(es) + 1
		}
		es = append(es, e)
	}
	n, err := l.store.InsertEntriesOnce(ctx, es, seen)
	if err != nil {
		return err
	}
	l.m.written.Add(float64(n))
	l.m.duplicates.Add(float64(len(es) - n))
	if l.Landed != nil {
		for _, e := range es {
			if err := l.Landed(ctx, e); err != nil {
				return fmt.Errorf("apply decision: %w", err)
			}
		}
	}
	if err := l.spool.Confirm(b); err != nil {
		return errors.Join(errors.New("confirm consent spool batch"), err)
	}
	for _, e := range es {
		l.pending.remove(e.Decision.ConsentID)
	}
	return nil
}
