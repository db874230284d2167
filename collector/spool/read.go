package spool

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

const (
	// readChunk is how much Read fetches from a segment at a time; it
	// holds the largest record.
	readChunk = 1 << 20
	// maxBatchBytes bounds the record bytes of one batch.
	maxBatchBytes = 16 << 20
)

// Batch is a run of consecutive records handed out by Read.
type Batch struct {
	// Records are the payloads, in spool order. They stay valid after
	// Confirm and Requeue; the spool never reuses their memory.
	Records [][]byte
	// Seen is how many of the first Records may already be in the store:
	// they were replayed from an earlier run (which may have stored them
	// before it stopped) or handed out before and requeued. The rest are
	// handed out for the first time.
	Seen int

	start, end pos
	first      int64 // index of the first record, counted since Open
	bytes      int64
}

// Read hands out the next records not yet handed out, up to max, in order.
// It waits up to wait for at least one record and returns an empty batch
// when none came. Only one goroutine may call Read, Confirm and Requeue.
func (s *Spool) Read(ctx context.Context, max int, wait time.Duration) (Batch, error) {
	if max <= 0 {
		max = 1
	}
	var timer *time.Timer
	for {
		b, ch, err := s.read(max)
		if err != nil || len(b.Records) > 0 {
			return b, err
		}
		if timer == nil {
			if wait <= 0 {
				return b, nil
			}
			timer = time.NewTimer(wait)
			defer timer.Stop()
		}
		select {
		case <-ch:
		case <-timer.C:
			return b, nil
		case <-ctx.Done():
			return b, ctx.Err()
		case <-s.closing:
			return b, ErrClosed
		}
	}
}

// read returns the records available now, or the channel that is closed
// when more arrive.
func (s *Spool) read(max int) (Batch, <-chan struct{}, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return Batch{}, nil, ErrClosed
	}
	b := Batch{start: s.rpos, end: s.rpos, first: s.rIndex}
	s.mu.Unlock()
	for len(b.Records) < max && b.bytes < maxBatchBytes {
		s.mu.Lock()
		seg, p, end, ch := s.readable()
		s.mu.Unlock()
		if seg == nil {
			if len(b.Records) == 0 {
				return b, ch, nil
			}
			break
		}
		if len(b.Records) == 0 {
			b.start = p
		}
		buf := make([]byte, min(end-p.off, readChunk))
		if _, err := seg.f.ReadAt(buf, p.off); err != nil && !errors.Is(err, io.EOF) {
			return b, nil, fmt.Errorf("spool: read segment: %w: %w", ErrIO, err)
		}
		off := 0
		for off < len(buf) && len(b.Records) < max {
			rec, n, err := parseRecord(buf[off:])
			if errors.Is(err, io.ErrUnexpectedEOF) && off > 0 {
				break // the rest comes with the next chunk
			}
			if err != nil {
				s.log.Error("damaged record in spool", "file", filepath.Base(seg.path), "offset", p.off+int64(off), "err", err)
				return b, nil, fmt.Errorf("spool: segment %s offset %d: %w", filepath.Base(seg.path), p.off+int64(off), ErrCorrupt)
			}
			b.Records = append(b.Records, rec[:len(rec):len(rec)])
			b.bytes += int64(n)
			off += n
		}
		s.mu.Lock()
		s.rpos = pos{seg.seq, p.off + int64(off)}
		s.rIndex = b.first + int64(len(b.Records))
		s.mu.Unlock()
		b.end = pos{seg.seq, p.off + int64(off)}
	}
	s.mu.Lock()
	b.Seen = int(clamp(s.seenUntil-b.first, 0, int64(len(b.Records))))
	if end := b.first + int64(len(b.Records)); end > s.seenUntil {
		s.seenUntil = end
	}
	s.mu.Unlock()
	return b, nil, nil
}

func clamp(v, lo, hi int64) int64 { return min(hi, max(lo, v)) }

// readable finds the segment and position of the next record to hand out,
// moving the read position past finished segments, and the end of the
// readable records in that segment. It returns a nil segment and the
// channel to wait on when there is none. s.mu is held.
func (s *Spool) readable() (*segment, pos, int64, <-chan struct{}) {
	for _, seg := range s.segs {
		if seg.seq < s.rpos.seq {
			continue
		}
		if seg.seq > s.rpos.seq {
			s.rpos = pos{seg.seq, headerSize}
		}
		if s.rpos.off < seg.end {
			return seg, s.rpos, seg.end, nil
		}
		if !seg.sealed {
			break
		}
	}
	return nil, pos{}, 0, s.dataCh
}

// Requeue hands the records of b, and all after them, out again from the
// start of b: the store did not take them.
func (s *Spool) Requeue(b Batch) {
	if len(b.Records) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b.first >= s.cIndex && b.first < s.rIndex {
		s.rpos = b.start
		s.rIndex = b.first
	}
}

// Confirm records that the records of b are safely in the store: it
// persists the confirm point and removes the segments whose records are
// all confirmed. Batches must be confirmed in the order Read handed them
// out; confirming one twice is a no-op. When the checkpoint cannot be
// written, Confirm still moves on in memory and returns the error: after a
// crash those records would be handed out again.
func (s *Spool) Confirm(b Batch) error {
	if len(b.Records) == 0 {
		return nil
	}
	s.mu.Lock()
	if b.first+int64(len(b.Records)) <= s.cIndex {
		s.mu.Unlock()
		return nil
	}
	if b.first != s.cIndex {
		s.mu.Unlock()
		return fmt.Errorf("spool: confirm out of order: batch starts at record %d, %d are confirmed", b.first, s.cIndex)
	}
	s.mu.Unlock()

	cpErr := s.writeCheckpoint(b.end)

	s.mu.Lock()
	s.cpos = b.end
	s.cIndex += int64(len(b.Records))
	s.unconfBytes -= b.bytes
	s.unconfRecs -= int64(len(b.Records))
	for len(s.marks) > 1 && !s.cpos.less(s.marks[1].pos) {
		s.marks = s.marks[1:]
	}
	if s.unconfRecs == 0 {
		s.marks = s.marks[:0]
	}
	var done []*segment
	keep := s.segs[:0]
	for _, seg := range s.segs {
		if seg.sealed && (seg.seq < s.cpos.seq || seg.seq == s.cpos.seq && s.cpos.off >= seg.end) {
			done = append(done, seg)
			continue
		}
		keep = append(keep, seg)
	}
	clear(s.segs[len(keep):])
	s.segs = keep
	s.mu.Unlock()

	var errs []error
	for _, seg := range done {
		errs = append(errs, seg.f.Close(), os.Remove(seg.path))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("spool: remove confirmed segment: %w", err)
	}
	return cpErr
}

// The checkpoint file holds two 32-byte slots, written in turn so that a
// torn write never loses the previous confirm point:
//
//	0  generation, uint64
//	8  segment sequence, uint64
//	16 offset, int64
//	24 CRC32C of bytes 0..23
//	28 zero
const (
	checkpointName = "checkpoint"
	slotSize       = 32
)

// loadCheckpoint reads the confirm point, creating the checkpoint file if
// needed. A missing or unreadable checkpoint means "from the start".
func (s *Spool) loadCheckpoint() (pos, error) {
	path := filepath.Join(s.cfg.Dir, checkpointName)
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return pos{}, fmt.Errorf("spool: read checkpoint: %w", err)
	}
	var cp pos
	for i := 0; i+slotSize <= len(b) && i < 2*slotSize; i += slotSize {
		slot := b[i : i+slotSize]
		if crc32.Checksum(slot[:24], castagnoli) != binary.LittleEndian.Uint32(slot[24:28]) {
			continue
		}
		if gen := binary.LittleEndian.Uint64(slot[0:8]); gen >= s.cpGen {
			s.cpGen = gen
			cp = pos{binary.LittleEndian.Uint64(slot[8:16]), int64(binary.LittleEndian.Uint64(slot[16:24]))}
		}
	}
	if err := s.openCheckpoint(); err != nil {
		// A full disk must not stop the spool from starting; Confirm
		// tries again.
		s.log.Warn("cannot create checkpoint file", "err", err)
	}
	return cp, nil
}

// openCheckpoint opens the checkpoint file, creating it with both slots
// allocated so that later writes overwrite in place and never need space.
func (s *Spool) openCheckpoint() error {
	path := filepath.Join(s.cfg.Dir, checkpointName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err == nil && fi.Size() < 2*slotSize {
		if _, err = f.WriteAt(make([]byte, 2*slotSize-fi.Size()), fi.Size()); err == nil {
			if err = f.Sync(); err == nil {
				err = syncDir(s.cfg.Dir)
			}
		}
	}
	if err != nil {
		f.Close()
		return err
	}
	s.cpFile = f
	return nil
}

// writeCheckpoint durably records p as the confirm point.
func (s *Spool) writeCheckpoint(p pos) error {
	s.cpMu.Lock()
	defer s.cpMu.Unlock()
	if s.cpFile == nil {
		if err := s.openCheckpoint(); err != nil {
			return classify("create checkpoint", err)
		}
	}
	gen := s.cpGen + 1
	var slot [slotSize]byte
	binary.LittleEndian.PutUint64(slot[0:8], gen)
	binary.LittleEndian.PutUint64(slot[8:16], p.seq)
	binary.LittleEndian.PutUint64(slot[16:24], uint64(p.off))
	binary.LittleEndian.PutUint32(slot[24:28], crc32.Checksum(slot[:24], castagnoli))
	if _, err := s.cpFile.WriteAt(slot[:], int64(gen%2)*slotSize); err != nil {
		return classify("write checkpoint", err)
	}
	if err := unix.Fdatasync(int(s.cpFile.Fd())); err != nil {
		return classify("sync checkpoint", err)
	}
	s.cpGen = gen
	return nil
}
