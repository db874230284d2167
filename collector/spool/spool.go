// Package spool is ashiato's write-ahead spool: the durable queue between
// the HTTP handler and the ClickHouse writer. A hit is acknowledged only
// once its record is on disk (write + fdatasync), and a segment file is
// removed only once every record in it is confirmed in the store.
//
// Many goroutines Append concurrently; their records are gathered into
// groups and each group is written with one write and one fdatasync (group
// commit). One drainer goroutine Reads batches, and Confirms or Requeues
// them in the order they were handed out. Confirm persists a checkpoint;
// after a crash, Open replays from the last checkpoint, so records after it
// are handed out again (at least once; the store collapses them by event
// ID).
//
// Segment files are named by a hex sequence number, carry a magic and a
// format version, and frame each record with its length and a CRC32C (see
// format.go). On Open a torn tail of the newest segment (an unsynced write
// cut by a crash) is truncated; damage anywhere else quarantines the
// segment: the file is kept in Dir/quarantine/, the records before the
// damage are still replayed, and the event is logged and counted. Nothing
// is deleted silently.
//
// Segments are preallocated, so that a full disk shows up when a segment is
// created rather than in the middle of a write: a background goroutine
// keeps one zero-filled spare file ready (overwriting written blocks needs
// no metadata in the fdatasync, about twice as fast on ext4 as writing into
// fallocated blocks), and fallocate is the fallback. When the cap
// (MaxBytes) is reached or the disk is full, Append returns an error
// wrapping ErrFull and nothing of that call is acknowledged; it succeeds
// again by itself once Confirm has freed room. Confirm needs no free space:
// the checkpoint is overwritten in place and segments are only removed.
//
// Up to Config.Committers groups are written and synced at once, but they
// are acknowledged in write order, and a failed write fails every later
// group of its segment; the segment is then cut back to its acknowledged
// records and a new one started. So the acknowledged records always form a
// prefix of the spool that replay finds whole.
package spool

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sys/unix"
)

// Errors returned by the spool. Callers test them with errors.Is.
var (
	// ErrFull reports that the spool cap is reached or the disk is full.
	ErrFull = errors.New("spool full")
	// ErrIO reports an I/O error other than a full disk.
	ErrIO = errors.New("spool I/O error")
	// ErrClosed reports a call on a closed spool.
	ErrClosed = errors.New("spool closed")
	// ErrTooLarge reports a record or an Append larger than the spool takes.
	ErrTooLarge = errors.New("spool record too large")
	// ErrCorrupt reports a damaged record found while reading.
	ErrCorrupt = errors.New("spool record corrupt")
)

const quarantineDir = "quarantine"

// pos is a position in the spool: a segment and a byte offset in it.
type pos struct {
	seq uint64
	off int64
}

func (a pos) less(b pos) bool {
	return a.seq < b.seq || a.seq == b.seq && a.off < b.off
}

// segment is one segment file.
type segment struct {
	seq     uint64
	path    string
	f       *os.File
	fd      int
	created time.Time
	end     int64 // end of the durable, valid records; readers stop here
	rotated bool  // no more writes will be taken
	sealed  bool  // rotated, and every write taken is acknowledged
}

// mark remembers when the records from pos on were written, for the age of
// the oldest unconfirmed record.
type mark struct {
	pos pos
	t   time.Time
}

// Spool is a durable write-ahead queue of opaque records. Append is safe
// for concurrent use; Read, Confirm and Requeue belong to one consumer.
type Spool struct {
	cfg        Config
	log        *slog.Logger
	m          *metrics
	lock       *os.File
	writeLimit int64

	kick     chan struct{}
	spareReq chan struct{}
	stop     chan struct{}
	closing  chan struct{}
	wg       sync.WaitGroup // committers and preparer

	// wmu orders the groups in the segments: active and wpos belong to it.
	wmu    sync.Mutex
	active *segment // the segment being written
	wpos   int64    // where the next group goes in active

	cpMu   sync.Mutex
	cpFile *os.File
	cpGen  uint64

	mu          sync.Mutex
	closed      bool
	segs        []*segment // by sequence; sealed ones first, active last
	nextSeq     uint64
	idle        *sync.Cond // signalled when inflight groups finish
	cur         *group     // group being filled
	queue       []*group   // groups waiting for a committer
	inflight    []*group   // groups taken, in write order, not yet acknowledged
	broken      bool       // a write to active failed: start a new segment
	poisoned    *segment   // the segment of the last failed write
	poisonErr   error
	spareReady  bool
	lastRecs    int      // records in the last group written
	waiting     int      // committers waiting for a group
	lingering   int      // committers waiting for the group being filled to grow
	free        [][]byte // spare group buffers
	pending     int64    // bytes in queued groups
	unconfBytes int64
	unconfRecs  int64
	marks       []mark
	dataCh      chan struct{} // closed and replaced when records become readable
	rpos        pos           // next record to hand out
	cpos        pos           // confirm point
	rIndex      int64         // records handed out since Open, less requeued ones
	cIndex      int64         // records confirmed since Open
	// seenUntil is the index below which records may already be in the
	// store: those replayed from an earlier run and those handed out before.
	seenUntil   int64
	quarantined atomic.Int64
	lastFail    writeFailure // the last failed write (Writable)
}

// Stats describes the content of the spool.
type Stats struct {
	Bytes             int64     // unconfirmed record bytes, framing included
	Records           int64     // unconfirmed records
	OldestUnconfirmed time.Time // zero when nothing is unconfirmed
	Segments          int       // segment files in use
	Quarantined       int       // segments quarantined since Open
}

// Open opens the spool in cfg.Dir, creating the directory if needed, and
// replays it: reading restarts at the last confirm point. A full disk does
// not fail Open; Append reports it.
func Open(cfg Config, log *slog.Logger, reg prometheus.Registerer) (*Spool, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("spool: create dir: %w", err)
	}
	lock, err := lockDir(cfg.Dir)
	if err != nil {
		return nil, err
	}
	s := &Spool{
		cfg:        cfg,
		log:        log.With("component", "spool"),
		lock:       lock,
		writeLimit: cfg.writeLimit(),
		kick:       make(chan struct{}, 1),
		spareReq:   make(chan struct{}, 1),
		stop:       make(chan struct{}),
		closing:    make(chan struct{}),
		dataCh:     make(chan struct{}),
	}
	s.idle = sync.NewCond(&s.mu)
	s.m = newMetrics(s)
	if err := s.replay(); err != nil {
		s.closeFiles()
		return nil, err
	}
	if err := s.m.register(reg); err != nil {
		s.closeFiles()
		return nil, fmt.Errorf("spool: register metrics: %w", err)
	}
	s.wg.Add(cfg.Committers + 1)
	for range cfg.Committers {
		go s.committer()
	}
	go s.preparer()
	s.spareReq <- struct{}{}
	return s, nil
}

// lockDir takes an exclusive lock on dir so that two processes never share
// a spool.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("spool: lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("spool: lock %s: %w", dir, err)
	}
	return f, nil
}

// Stats returns the current content of the spool.
func (s *Spool) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{
		Bytes:       s.unconfBytes,
		Records:     s.unconfRecs,
		Segments:    len(s.segs),
		Quarantined: int(s.quarantined.Load()),
	}
	if s.unconfRecs > 0 && len(s.marks) > 0 {
		st.OldestUnconfirmed = s.marks[0].t
	}
	return st
}

// Close writes what was appended before it, stops the committer and
// releases the directory. Appends after Close fail with ErrClosed. Close
// must not run concurrently with Read, Confirm or Requeue.
func (s *Spool) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	close(s.closing)
	close(s.stop)
	s.wg.Wait()
	s.m.unregister()

	var err error
	if e := os.Remove(filepath.Join(s.cfg.Dir, spareName)); e != nil && !errors.Is(e, os.ErrNotExist) {
		err = fmt.Errorf("spool: remove spare segment: %w", e)
	}
	s.wmu.Lock()
	if s.active != nil {
		err = errors.Join(err, s.retire(true))
	}
	s.wmu.Unlock()
	return errors.Join(err, s.closeFiles())
}

func (s *Spool) closeFiles() error {
	var errs []error
	s.mu.Lock()
	for _, seg := range s.segs {
		errs = append(errs, seg.f.Close())
	}
	s.segs = nil
	s.mu.Unlock()
	s.cpMu.Lock()
	if s.cpFile != nil {
		errs = append(errs, s.cpFile.Close())
		s.cpFile = nil
	}
	s.cpMu.Unlock()
	errs = append(errs, s.lock.Close())
	return errors.Join(errs...)
}

// segmentName is the file name of segment seq.
func segmentName(seq uint64) string { return fmt.Sprintf("%016x.seg", seq) }

// syncDir makes the creation, renaming or removal of files in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// classify wraps an I/O error in ErrFull for a full disk or quota, in ErrIO
// otherwise.
func classify(op string, err error) error {
	if errors.Is(err, unix.ENOSPC) || errors.Is(err, unix.EDQUOT) {
		return fmt.Errorf("spool: %s: %w: %w", op, ErrFull, err)
	}
	return fmt.Errorf("spool: %s: %w: %w", op, ErrIO, err)
}
