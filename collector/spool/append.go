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

	// Set when a committer takes the group.
	seg      *segment
	off      int64
	finished bool
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
		err := fmt.Errorf("spool: cap of %d bytes reached: %w", s.cfg.MaxBytes, ErrFull)
		s.lastFail = writeFailure{err: err, at: time.Now()}
		s.mu.Unlock()
		s.m.appendErrors.WithLabelValues("full").Add(float64(len(recs)))
		return err
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
	// Wake a committer only when it waits for this: every needless wake-up
	// is a goroutine switch, and records arrive one request at a time.
	wake := s.waiting > 0 || (s.lingering > 0 && s.groupReady())
	s.mu.Unlock()

	if wake {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
	select {
	case <-g.done:
		return g.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// committer writes and syncs queued groups until Close. It counts itself
// in s.waiting while it waits for a group, so that Append knows to wake it.
func (s *Spool) committer() {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		empty := len(s.queue) == 0
		if empty {
			s.waiting++
		}
		s.mu.Unlock()
		if empty {
			select {
			case <-s.kick:
			case <-s.stop:
			}
			s.mu.Lock()
			s.waiting--
			s.mu.Unlock()
		}
		select {
		case <-s.stop:
			s.drainQueue()
			return
		default:
		}
		s.drainQueue()
	}
}

// linger waits, up to SyncDelay, until the group being filled holds as many
// records as the last one written. The appenders of the last group are
// likely to come back at once with more (closed-loop clients); without the
// wait, the group taken right away is small and the next one large, and
// every caller waits for two syncs.
func (s *Spool) linger() {
	if s.cfg.SyncDelay <= 0 {
		return
	}
	var timer *time.Timer
	for {
		s.mu.Lock()
		if s.closed || s.groupReady() {
			s.mu.Unlock()
			return
		}
		s.lingering++ // Append wakes it when the group is large enough
		s.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(s.cfg.SyncDelay)
			defer timer.Stop()
		}
		expired := false
		select {
		case <-s.kick:
		case <-s.stop:
		case <-timer.C:
			expired = true
		}
		s.mu.Lock()
		s.lingering--
		s.mu.Unlock()
		if expired {
			return
		}
	}
}

// groupReady reports whether a lingering committer should write now: more
// than one group is queued, or the group being filled holds as many records
// as the last one written. s.mu is held.
func (s *Spool) groupReady() bool {
	if s.cur != nil && len(s.queue) == 1 {
		return s.cur.recs >= s.lastRecs
	}
	return len(s.queue) > 0 || s.lastRecs <= 0
}

// drainQueue commits queued groups until there are none.
func (s *Spool) drainQueue() {
	for {
		s.linger()
		g, err := s.take()
		if g == nil {
			return
		}
		if err == nil {
			err = s.write(g)
		}
		s.finish(g, err)
		if err != nil && g.seg != nil {
			s.repair(g.seg)
		}
	}
}

// take pops the next group and gives it its place in the active segment,
// starting a new segment when needed. Places are given in queue order.
func (s *Spool) take() (*group, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.Lock()
	if len(s.queue) == 0 {
		s.mu.Unlock()
		return nil, nil
	}
	g := s.queue[0]
	s.queue[0] = nil
	s.queue = s.queue[1:]
	if g == s.cur {
		s.cur = nil
	}
	broken := s.broken
	s.mu.Unlock()

	var err error
	size := int64(len(g.buf))
	if s.active == nil || broken || s.wpos+size > s.cfg.SegmentBytes {
		if e := s.rotate(broken); e != nil {
			err = classify("start segment", e)
		}
	}
	// Joining inflight while s.wmu is still held keeps it in write order.
	s.mu.Lock()
	if err == nil {
		g.seg, g.off = s.active, s.wpos
		s.wpos += size
	}
	s.inflight = append(s.inflight, g)
	s.mu.Unlock()
	return g, err
}

// write writes a group in its place and syncs it.
func (s *Spool) write(g *group) error {
	if _, err := g.seg.f.WriteAt(g.buf, g.off); err != nil {
		return classify("write", err)
	}
	t0 := time.Now()
	err := unix.Fdatasync(g.seg.fd)
	s.m.fsyncSeconds.Observe(time.Since(t0).Seconds())
	if err != nil {
		return classify("fdatasync", err)
	}
	return nil
}

// finish records the outcome of a group and acknowledges, in write order,
// the groups whose predecessors are all done. A failed write fails every
// later group of the same segment too: after a crash, replay stops at the
// first bad record, so nothing after it may have been acknowledged.
func (s *Spool) finish(g *group, err error) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	g.err, g.finished = err, true
	if err != nil && g.seg != nil {
		s.broken = true
		s.poisoned, s.poisonErr = g.seg, err
	}
	for len(s.inflight) > 0 && s.inflight[0].finished {
		h := s.inflight[0]
		s.inflight[0] = nil
		s.inflight = s.inflight[1:]
		size := int64(len(h.buf))
		s.pending -= size
		if h.err == nil && h.seg == s.poisoned {
			h.err = fmt.Errorf("spool: an earlier write to the segment failed: %w", s.poisonErr)
		}
		if h.err != nil {
			s.lastFail = writeFailure{err: h.err, at: now}
			reason := "io"
			if errors.Is(h.err, ErrFull) {
				reason = "full"
			}
			s.m.appendErrors.WithLabelValues(reason).Add(float64(h.recs))
			close(h.done)
			continue
		}
		s.lastFail = writeFailure{}
		h.seg.end = h.off + size
		s.unconfBytes += size
		s.unconfRecs += int64(h.recs)
		if n := len(s.marks); n == 0 || now.Sub(s.marks[n-1].t) >= time.Second {
			s.marks = append(s.marks, mark{pos: pos{h.seg.seq, h.off}, t: now})
		}
		s.m.groupRecords.Observe(float64(h.recs))
		s.lastRecs = h.recs
		if len(s.free) < 2*s.cfg.Committers {
			s.free = append(s.free, h.buf)
		}
		h.buf = nil
		close(h.done)
		close(s.dataCh)
		s.dataCh = make(chan struct{})
	}
	s.sealFinished()
	s.idle.Broadcast()
}

// sealFinished seals the rotated segments that no write is pending on, so
// that the reader moves past them. s.mu is held.
func (s *Spool) sealFinished() {
	for _, seg := range s.segs {
		if seg.rotated && !seg.sealed && !s.writing(seg) {
			seg.sealed = true
		}
	}
}

// writing reports whether a taken group is still to be acknowledged in seg.
// s.mu is held.
func (s *Spool) writing(seg *segment) bool {
	for _, g := range s.inflight {
		if g.seg == seg {
			return true
		}
	}
	return false
}

// rotate retires the active segment and starts a new one. s.wmu is held.
func (s *Spool) rotate(broken bool) error {
	if s.active != nil {
		if err := s.retire(broken); err != nil {
			s.log.Warn("retire segment", "err", err)
		}
	}
	s.mu.Lock()
	seq := s.nextSeq
	useSpare := s.spareReady
	s.spareReady = false
	s.mu.Unlock()
	seg, err := s.newSegment(seq, useSpare)
	select {
	case s.spareReq <- struct{}{}:
	default:
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.nextSeq = seq + 1
	s.segs = append(s.segs, seg)
	s.mu.Unlock()
	s.active, s.wpos = seg, headerSize
	return nil
}

// retire takes no more writes in the active segment and gives back its
// preallocated space. When broken, it first waits for the writes in flight
// and then cuts the segment back to its acknowledged records: what a
// failed write left must not come back as records. s.wmu is held.
func (s *Spool) retire(broken bool) error {
	a := s.active
	end := s.wpos
	if broken {
		s.mu.Lock()
		for s.writing(a) {
			s.idle.Wait()
		}
		end = a.end
		s.mu.Unlock()
	}
	err := a.f.Truncate(end)
	if err == nil && broken {
		err = unix.Fdatasync(a.fd)
	}
	s.mu.Lock()
	a.rotated = true
	s.broken = false
	s.sealFinished()
	s.mu.Unlock()
	s.active = nil
	if err != nil {
		return fmt.Errorf("spool: retire segment %d: %w", a.seq, err)
	}
	return nil
}

// repair retires seg at once after a failed write in it, unless that was
// done already, so that a crash or Close before the next Append finds no
// unacknowledged records in it.
func (s *Spool) repair(seg *segment) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.Lock()
	broken := s.broken
	s.mu.Unlock()
	if s.active == seg && broken {
		if err := s.retire(true); err != nil {
			s.log.Warn("repair segment after a failed write", "err", err)
		}
	}
}

// newSegment creates segment seq from the zero-filled spare file when there
// is one, else by preallocating a new file.
func (s *Spool) newSegment(seq uint64, useSpare bool) (*segment, error) {
	if useSpare {
		seg, err := s.segmentFromSpare(seq)
		if err == nil {
			return seg, nil
		}
		s.log.Warn("cannot use spare segment", "err", err)
	}
	size := s.cfg.SegmentBytes
	if s.cfg.noPrealloc {
		size = 0
	}
	return createSegment(s.cfg.Dir, seq, size)
}

// segmentFromSpare renames the spare file into segment seq. Writes into
// blocks that were written before need no metadata update, so their
// fdatasync is about twice as fast as into fallocated blocks.
func (s *Spool) segmentFromSpare(seq uint64) (*segment, error) {
	spare := filepath.Join(s.cfg.Dir, spareName)
	path := filepath.Join(s.cfg.Dir, segmentName(seq))
	f, err := os.OpenFile(spare, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	seg := &segment{seq: seq, path: path, f: f, fd: int(f.Fd()), created: time.Now(), end: headerSize}
	err = func() error {
		if _, err := f.WriteAt(appendSegmentHeader(nil, segmentHeader{Seq: seq, Created: seg.created}), 0); err != nil {
			return err
		}
		if err := unix.Fdatasync(seg.fd); err != nil {
			return err
		}
		if err := os.Rename(spare, path); err != nil {
			return err
		}
		return syncDir(s.cfg.Dir)
	}()
	if err != nil {
		f.Close()
		os.Remove(spare)
		return nil, err
	}
	return seg, nil
}

// createSegment creates an empty segment file, preallocates size bytes and
// syncs it.
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
		if size == 0 {
			// no preallocation
		} else if err := unix.Fallocate(seg.fd, 0, 0, size); err != nil &&
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

// spareName is the zero-filled file that becomes the next segment.
const spareName = "spare.tmp"

// preparer keeps one zero-filled spare segment ready, until Close.
func (s *Spool) preparer() {
	defer s.wg.Done()
	zeros := make([]byte, 1<<20)
	for {
		select {
		case <-s.spareReq:
		case <-s.stop:
			return
		}
		s.mu.Lock()
		ready := s.spareReady
		s.mu.Unlock()
		if ready || s.cfg.noPrealloc {
			continue
		}
		if err := s.prepareSpare(zeros); err != nil {
			// Most likely a full disk: segments are then preallocated
			// with fallocate, which reports it to Append.
			s.log.Debug("cannot prepare spare segment", "err", err)
			os.Remove(filepath.Join(s.cfg.Dir, spareName))
			continue
		}
		s.mu.Lock()
		s.spareReady = true
		s.mu.Unlock()
	}
}

func (s *Spool) prepareSpare(zeros []byte) error {
	f, err := os.OpenFile(filepath.Join(s.cfg.Dir, spareName), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	defer f.Close()
	for off := int64(0); off < s.cfg.SegmentBytes; off += int64(len(zeros)) {
		select {
		case <-s.stop:
			return ErrClosed
		default:
		}
		if _, err := f.WriteAt(zeros[:min(int64(len(zeros)), s.cfg.SegmentBytes-off)], off); err != nil {
			return err
		}
	}
	return unix.Fdatasync(int(f.Fd()))
}
