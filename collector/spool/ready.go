package spool

import (
	"fmt"
	"time"
)

// failHold is how long a failed write keeps Writable reporting the spool
// as not writable: long enough for a readiness probe to see it, short
// enough that a collector taken out of a load balancer is tried again
// (nothing else would write to prove the disk has room again).
const failHold = 10 * time.Second

// Writable reports whether an append can be acknowledged now: nil, or
// why not — the spool is closed, its cap is reached, or a write failed in
// the last few seconds (the cap, a full disk, an I/O error) and none
// succeeded since. It is the collector's
// readiness: hits are accepted while the spool can hold them, whatever the
// state of ClickHouse.
func (s *Spool) Writable() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.unconfBytes+s.pending >= s.cfg.MaxBytes {
		return fmt.Errorf("spool: cap of %d bytes reached: %w", s.cfg.MaxBytes, ErrFull)
	}
	if s.lastFail.err != nil && time.Since(s.lastFail.at) < failHold {
		return s.lastFail.err
	}
	return nil
}

// writeFailure is the last failed write of the spool.
type writeFailure struct {
	err error
	at  time.Time
}
