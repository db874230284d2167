package spool

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// scanBufSize is the chunk size of replay scans; it holds the largest record.
const scanBufSize = 1 << 20

// replay loads the checkpoint and the segments, repairs or quarantines
// damaged ones, and sets the read position to the confirm point.
func (s *Spool) replay() error {
	cp, err := s.loadCheckpoint()
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(s.cfg.Dir)
	if err != nil {
		return fmt.Errorf("spool: list dir: %w", err)
	}
	if err := os.Remove(filepath.Join(s.cfg.Dir, spareName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("spool: remove old spare segment: %w", err)
	}
	var seqs []uint64
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".seg")
		if !ok || !e.Type().IsRegular() {
			continue
		}
		seq, err := strconv.ParseUint(name, 16, 64)
		if err != nil || segmentName(seq) != e.Name() {
			s.log.Warn("ignoring unexpected file in spool dir", "file", e.Name())
			continue
		}
		seqs = append(seqs, seq)
	}
	slices.Sort(seqs)

	s.nextSeq = cp.seq + 1
	buf := make([]byte, scanBufSize)
	var replayed int64
	for i, seq := range seqs {
		s.nextSeq = max(s.nextSeq, seq+1)
		path := filepath.Join(s.cfg.Dir, segmentName(seq))
		if seq < cp.seq {
			// Every record in it was confirmed; the removal was cut short.
			if err := os.Remove(path); err != nil {
				return fmt.Errorf("spool: remove confirmed segment: %w", err)
			}
			continue
		}
		start := int64(headerSize)
		if seq == cp.seq {
			start = cp.off
		}
		seg, recs, bytes, err := s.loadSegment(path, seq, i == len(seqs)-1, start, buf)
		if err != nil {
			return err
		}
		if seg == nil {
			continue
		}
		if seg.end == headerSize {
			// No records at all: left by a process that appended nothing.
			seg.f.Close()
			if err := os.Remove(path); err != nil {
				return fmt.Errorf("spool: remove empty segment: %w", err)
			}
			continue
		}
		s.segs = append(s.segs, seg)
		s.unconfRecs += recs
		s.unconfBytes += bytes
		replayed += recs
		if recs > 0 {
			s.marks = append(s.marks, mark{pos: pos{seq, headerSize}, t: seg.created})
		}
	}
	s.rpos, s.cpos = cp, cp
	if len(s.segs) > 0 && s.segs[0].seq > cp.seq {
		s.rpos = pos{s.segs[0].seq, headerSize}
		s.cpos = s.rpos
	}
	s.seenUntil = replayed // an earlier run may have stored any of them
	s.m.replayed.Add(float64(replayed))
	if replayed > 0 || len(s.segs) > 0 {
		s.log.Info("spool replayed", "records", replayed, "bytes", s.unconfBytes, "segments", len(s.segs))
	}
	return nil
}

// loadSegment opens and checks one segment file. It counts the records from
// offset start on. It returns a nil segment when the file was removed as
// empty or quarantined whole.
func (s *Spool) loadSegment(path string, seq uint64, last bool, start int64, buf []byte) (*segment, int64, int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("spool: open segment: %w", err)
	}
	fail := func(op string, err error) (*segment, int64, int64, error) {
		f.Close()
		return nil, 0, 0, fmt.Errorf("spool: %s segment %s: %w", op, filepath.Base(path), err)
	}
	fi, err := f.Stat()
	if err != nil {
		return fail("stat", err)
	}
	size := fi.Size()
	hdr := make([]byte, headerSize)
	n, err := f.ReadAt(hdr, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return fail("read", err)
	}
	h, herr := parseSegmentHeader(hdr[:n])
	if herr == nil && h.Seq != seq {
		herr = fmt.Errorf("segment header: sequence %d in file %s", h.Seq, filepath.Base(path))
	}
	if herr != nil {
		zero, err := zeroRange(f, 0, size, buf)
		if err != nil {
			return fail("read", err)
		}
		f.Close()
		if last && zero {
			// Created by a process that crashed before it acknowledged
			// anything in it.
			s.log.Info("removing empty segment", "file", filepath.Base(path))
			return nil, 0, 0, os.Remove(path)
		}
		return nil, 0, 0, s.quarantine(path, true, 0, herr)
	}

	var recs, bytes int64
	if start < headerSize {
		start = headerSize
	}
	end, why, err := scanSegment(f, size, buf, func(off int64, n int) {
		if off >= start {
			recs++
			bytes += recordSize(n)
		}
	})
	if err != nil {
		return fail("read", err)
	}
	seg := &segment{seq: seq, path: path, f: f, fd: int(f.Fd()), created: h.Created, end: end, rotated: true, sealed: true}
	if end == size {
		return seg, recs, bytes, nil
	}
	// Where the damage may lie without being corruption: nowhere for a
	// clean end, the last write of the newest segment for a bad record.
	torn := end
	if why != errEnd && last {
		torn = end + MaxCommitters*maxWriteBytes
	}
	clean, err := zeroRange(f, min(torn, size), size, buf)
	if err != nil {
		return fail("read", err)
	}
	if !clean {
		err := s.quarantine(path, false, end, fmt.Errorf("bad record at offset %d", end))
		return seg, recs, bytes, err
	}
	if why != errEnd {
		s.log.Warn("truncating torn tail of segment", "file", filepath.Base(path), "offset", end, "bytes", size-end)
		s.m.truncated.Add(float64(size - end))
	}
	if err := f.Truncate(end); err != nil {
		return fail("truncate", err)
	}
	if err := unix.Fdatasync(seg.fd); err != nil {
		return fail("sync", err)
	}
	return seg, recs, bytes, nil
}

// quarantine keeps a damaged segment in Dir/quarantine. A segment that is
// unusable as a whole is moved there; one with a valid prefix is linked
// there, so that the prefix is still replayed from the spool dir. It is
// logged and counted once per file.
func (s *Spool) quarantine(path string, whole bool, off int64, cause error) error {
	qdir := filepath.Join(s.cfg.Dir, quarantineDir)
	if err := os.MkdirAll(qdir, 0o750); err != nil {
		return fmt.Errorf("spool: quarantine: %w", err)
	}
	dst := filepath.Join(qdir, filepath.Base(path))
	if fi, err := os.Stat(dst); err == nil {
		if src, err := os.Stat(path); err == nil && os.SameFile(fi, src) {
			if whole {
				return os.Remove(path)
			}
			return nil // already quarantined by an earlier Open
		}
		dst += "." + strconv.FormatInt(fi.ModTime().UnixNano(), 10)
	}
	var err error
	if whole {
		err = os.Rename(path, dst)
	} else {
		err = os.Link(path, dst)
	}
	if err != nil {
		return fmt.Errorf("spool: quarantine: %w", err)
	}
	if err := syncDir(qdir); err != nil {
		return fmt.Errorf("spool: quarantine: %w", err)
	}
	s.quarantined.Add(1)
	s.m.quarantined.Inc()
	s.log.Error("segment quarantined", "file", filepath.Base(path), "offset", off,
		"records_after_offset_lost", true, "err", cause)
	return nil
}

// scanSegment walks the records of a segment file after its header and
// calls fn with the offset and payload length of each valid record. It
// returns the end of the valid records and why they end (errEnd,
// errBadRecord); err is an error reading the file.
func scanSegment(r io.ReaderAt, size int64, buf []byte, fn func(off int64, n int)) (end int64, why, err error) {
	off := int64(headerSize)
	for off < size {
		chunk := buf[:min(int64(len(buf)), size-off)]
		if _, err := r.ReadAt(chunk, off); err != nil && !errors.Is(err, io.EOF) {
			return off, nil, err
		}
		n, why := scanRecords(chunk, func(o int, p []byte) { fn(off+int64(o), len(p)) })
		off += int64(n)
		switch {
		case errors.Is(why, io.ErrUnexpectedEOF) && n > 0 && off < size:
			continue // the record straddles the chunk
		case errors.Is(why, io.ErrUnexpectedEOF):
			return off, errBadRecord, nil
		case errors.Is(why, errEnd) && n == len(chunk):
			continue
		default:
			return off, why, nil
		}
	}
	return off, errEnd, nil
}

// zeroRange reports whether bytes [from, to) of r are all zero.
func zeroRange(r io.ReaderAt, from, to int64, buf []byte) (bool, error) {
	for from < to {
		chunk := buf[:min(int64(len(buf)), to-from)]
		n, err := r.ReadAt(chunk, from)
		if !allZero(chunk[:n]) {
			return false, nil
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return true, nil
			}
			return false, err
		}
		from += int64(n)
	}
	return true, nil
}
