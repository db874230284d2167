package spool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// group is the records of many Append calls that share one write and one
// fdatasync.
type group struct {
	buf  []byte
	recs int
	done chan struct{}
	err  error
}

// Append writes recs to the spool and returns nil only when all of them are
// durably on disk. Concurrent calls share writes and syncs. On error none
// of recs is acknowledged: the error wraps ErrFull when the cap is reached
// or the disk is full, ErrIO for other I/O errors, ErrTooLarge or
// ErrClosed. If ctx ends first, Append returns its error; the records may
// still become durable and be handed out later.
func (s *Spool) Append(ctx context.Context, recs ...[]byte) error {
	var size int64
	for _, r := range recs {
		if len(r) > MaxRecordBytes {
			return fmt.Errorf("spool: record of %d bytes: %w", len(r), ErrTooLarge)
		}
		size += recordSize(len(r))
	}
	if size > s.writeLimit {
		return fmt.Errorf("spool: append of %d bytes: %w", size, ErrTooLarge)
	}
	if len(recs) == 0 {
		return nil
	}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	if s.unconfBytes+s.pending+size > s.cfg.MaxBytes {
		s.mu.Unlock()
		s.m.appendErrors.WithLabelValues("full").Inc()
		return fmt.Errorf("spool: cap of %d bytes reached: %w", s.cfg.MaxBytes, ErrFull)
	}
	g := s.cur
	if g == nil || int64(len(g.buf))+size > s.writeLimit {
		g = &group{done: make(chan struct{})}
		if n := len(s.free); n > 0 {
			g.buf, s.free = s.free[n-1][:0], s.free[:n-1]
		}
		s.queue = append(s.queue, g)
		s.cur = g
	}
	for _, r := range recs {
		g.buf = appendRecord(g.buf, r)
	}
	g.recs += len(recs)
	s.pending += size
	s.mu.Unlock()

	select {
	case s.kick <- struct{}{}:
	default:
	}
	select {
	case <-g.done:
		return g.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// committer writes and syncs the queued groups, one at a time, until Close.
func (s *Spool) committer() {
	defer close(s.flusherDone)
	for {
		select {
		case <-s.kick:
		case <-s.stop:
			s.drainQueue()
			return
		}
		if s.cfg.SyncDelay > 0 {
			time.Sleep(s.cfg.SyncDelay)
		}
		s.drainQueue()
	}
}

// drainQueue commits the queued groups in order.
func (s *Spool) drainQueue() {
	for {
		s.mu.Lock()
		if len(s.queue) == 0 {
			s.mu.Unlock()
			return
		}
		g := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		if g == s.cur {
			s.cur = nil
		}
		s.mu.Unlock()

		g.err = s.commit(g)
		close(g.done)
	}
}

// commit writes one group to the active segment and syncs it.
func (s *Spool) commit(g *group) error {
	size := int64(len(g.buf))
	fail := func(op string, err error) error {
		err = classify(op, err)
		reason := "io"
		if errors.Is(err, ErrFull) {
			reason = "full"
		}
		s.m.appendErrors.WithLabelValues(reason).Add(float64(g.recs))
		s.mu.Lock()
		s.pending -= size
		s.mu.Unlock()
		return err
	}
	a := s.active
	if a == nil || s.broken || a.end+size > s.cfg.SegmentBytes {
		if err := s.rotate(); err != nil {
			return fail("start segment", err)
		}
		a = s.active
	}
	off := a.end
	if _, err := a.f.WriteAt(g.buf, off); err != nil {
		s.broken = true
		return fail("write", err)
	}
	t0 := time.Now()
	err := unix.Fdatasync(a.fd)
	s.m.fsyncSeconds.Observe(time.Since(t0).Seconds())
	if err != nil {
		s.broken = true
		return fail("fdatasync", err)
	}
	s.m.groupRecords.Observe(float64(g.recs))

	now := time.Now()
	s.mu.Lock()
	a.end = off + size
	s.pending -= size
	s.unconfBytes += size
	s.unconfRecs += int64(g.recs)
	if n := len(s.marks); n == 0 || now.Sub(s.marks[n-1].t) >= time.Second {
		s.marks = append(s.marks, mark{pos: pos{a.seq, off}, t: now})
	}
	close(s.dataCh)
	s.dataCh = make(chan struct{})
	if len(s.free) < 4 {
		s.free = append(s.free, g.buf)
	}
	s.mu.Unlock()
	g.buf = nil
	return nil
}

// rotate seals the active segment and starts a new one.
func (s *Spool) rotate() error {
	if a := s.active; a != nil {
		// Cut off the preallocated space, and whatever a failed write left
		// behind: that must not come back as records.
		if err := a.f.Truncate(a.end); err != nil {
			s.log.Warn("truncate sealed segment", "seq", a.seq, "err", err)
		} else if s.broken {
			if err := unix.Fdatasync(a.fd); err != nil {
				s.log.Warn("sync sealed segment", "seq", a.seq, "err", err)
			}
		}
		s.mu.Lock()
		a.sealed = true
		s.mu.Unlock()
		s.active = nil
		s.broken = false
	}
	s.mu.Lock()
	seq := s.nextSeq
	s.mu.Unlock()
	seg, err := createSegment(s.cfg.Dir, seq, s.cfg.SegmentBytes)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.nextSeq = seq + 1
	s.segs = append(s.segs, seg)
	s.mu.Unlock()
	s.active = seg
	return nil
}

// createSegment creates, preallocates and syncs an empty segment file.
func createSegment(dir string, seq uint64, size int64) (*segment, error) {
	path := filepath.Join(dir, segmentName(seq))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return nil, err
	}
	seg := &segment{seq: seq, path: path, f: f, fd: int(f.Fd()), created: time.Now(), end: headerSize}
	err = func() error {
		if _, err := f.WriteAt(appendSegmentHeader(nil, segmentHeader{Seq: seq, Created: seg.created}), 0); err != nil {
			return err
		}
		if err := unix.Fallocate(seg.fd, 0, 0, size); err != nil &&
			!errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.ENOSYS) {
			return err
		}
		if err := f.Sync(); err != nil {
			return err
		}
		return syncDir(dir)
	}()
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return seg, nil
}
