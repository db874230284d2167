package pace

import (
	"context"
	"time"
)

// Backoff is the wait after failures of a background loop's step (an
// insert into ClickHouse): MinBackoff after the first, doubling up to Max;
// Reset after a success. The zero value with Max set is ready.
type Backoff struct {
	Max time.Duration
	cur time.Duration
}

// MinBackoff is the first wait after a failure.
const MinBackoff = 100 * time.Millisecond

// Next returns the wait after one more failure.
func (b *Backoff) Next() time.Duration {
	if b.cur == 0 {
		b.cur = MinBackoff
	} else {
		b.cur = min(b.cur*2, max(b.Max, MinBackoff))
	}
	return b.cur
}

// Reset starts again from MinBackoff.
func (b *Backoff) Reset() { b.cur = 0 }

// Sleep waits d or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
