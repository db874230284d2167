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
	bufs  sync.Pool // *encoded, reused: Append copies the records
}

// encoded holds one request's records: their bytes back to back in buf,
// and where each ends.
type encoded struct {
	buf  []byte
	ends []int
	recs [][]byte
}

// Submit appends evs to the spool.
func (s *SpoolSink) Submit(ctx context.Context, evs []collector.Event) error {
	e, _ := s.bufs.Get().(*encoded)
	if e == nil {
		e = new(encoded)
	}
	e.buf, e.ends, e.recs = e.buf[:0], e.ends[:0], e.recs[:0]
	for i := range evs {
		e.buf = spool.AppendEvent(e.buf, &evs[i])
		e.ends = append(e.ends, len(e.buf))
	}
	start := 0
	for _, end := range e.ends {
		e.recs = append(e.recs, e.buf[start:end])
		start = end
	}
	err := s.Spool.Append(ctx, e.recs...)
	s.bufs.Put(e)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, spool.ErrFull):
		return &collector.Error{Code: collector.EOverloaded, Reason: "spool full, retry later"}
	default:
		return &collector.Error{Code: collector.EUnavailable, Reason: "storage unavailable, retry later"}
	}
}
