package batch

import (
	"context"
	"errors"
	"sync"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/spool"
)

// SpoolSink is the ingest stage's Sink: it encodes events and appends them
// durably to the spool; it returns only when they are on disk.
type SpoolSink struct {
	Spool *spool.Spool
	bufs  sync.Pool
}

// Submit appends evs to the spool.
func (s *SpoolSink) Submit(ctx context.Context, evs []collector.Event) error {
	bp, _ := s.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	buf := (*bp)[:0]
	recs := make([][]byte, len(evs))
	offs := make([]int, len(evs)+1)
	for i := range evs {
		buf = spool.AppendEvent(buf, &evs[i])
		offs[i+1] = len(buf)
	}
	for i := range evs {
		recs[i] = buf[offs[i]:offs[i+1]]
	}
	err := s.Spool.Append(ctx, recs...)
	*bp = buf
	s.bufs.Put(bp)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, spool.ErrFull):
		return &collector.Error{Code: collector.EOverloaded, Reason: "spool full, retry later"}
	default:
		return &collector.Error{Code: collector.EUnavailable, Reason: "storage unavailable, retry later"}
	}
}
