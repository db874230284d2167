package spool

import (
	"errors"
	"flag"
	"fmt"
	"time"
)

// Defaults of Config.
const (
	DefaultMaxBytes     = 1 << 30
	DefaultSegmentBytes = 64 << 20
	DefaultSyncDelay    = 500 * time.Microsecond
	DefaultCommitters   = 1
	// MaxCommitters bounds Config.Committers.
	MaxCommitters = 4

	minSegmentBytes = 4 << 10
	maxSyncDelay    = 100 * time.Millisecond
)

// Config configures a Spool.
type Config struct {
	// Dir holds the segment files, the checkpoint and quarantine/.
	Dir string `yaml:"dir"`
	// MaxBytes caps the unconfirmed record bytes in the spool; Append
	// answers ErrFull beyond it. Preallocated but unused segment space is
	// not counted, so the disk footprint can exceed it by about two
	// segments.
	MaxBytes int64 `yaml:"max_bytes"`
	// SegmentBytes is the size at which segment files are rotated; each
	// segment is preallocated to this size.
	SegmentBytes int64 `yaml:"segment_bytes"`
	// SyncDelay is the longest a committer waits before it writes a group
	// that holds fewer records than the last one written, for the callers
	// of the last group to come back with more (see Spool.linger). With 16
	// to 64 closed-loop appenders on the 2-core test machine, 500µs gave
	// 1.3 to 1.6 times the records/s of no wait and about twice the
	// records per fdatasync; 1ms was no better. Zero means the default; a
	// negative value writes at once.
	SyncDelay time.Duration `yaml:"sync_delay"`
	// Committers is how many groups are written and synced at the same
	// time, 1 to MaxCommitters. fdatasync has a large fixed cost (a journal
	// commit) that overlapping syncs can share: on the 2-core test machine
	// two threads each writing 8 KB and syncing sync about three times as
	// often as one. But more committers also make smaller groups, and in
	// BenchmarkAppend two were not reliably faster than one, hence the
	// default of 1; measure before raising it. Acknowledgements are given
	// in write order whatever the value.
	Committers int `yaml:"committers"`
	// Metrics is the middle of the spool's metric names,
	// ashiato_<Metrics>_records and so on: "spool" when empty. A second
	// spool in one process (the consent spool) needs its own.
	Metrics string `yaml:"-"`

	// noPrealloc turns preallocation off, so that tests reach the
	// failure of a write in the middle of a segment.
	noPrealloc bool
}

// RegisterFlags adds the spool flags to fs under the prefix "spool.".
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Dir, "spool.dir", c.Dir, "directory of the durable spool")
	fs.Int64Var(&c.MaxBytes, "spool.max-bytes", DefaultMaxBytes, "cap on unconfirmed bytes in the spool")
	fs.Int64Var(&c.SegmentBytes, "spool.segment-bytes", DefaultSegmentBytes, "spool segment file size")
	fs.DurationVar(&c.SyncDelay, "spool.sync-delay", DefaultSyncDelay, "longest wait for more records before a group commit; negative: none")
	fs.IntVar(&c.Committers, "spool.committers", DefaultCommitters, "group commits written and synced concurrently")
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.MaxBytes == 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.SegmentBytes == 0 {
		c.SegmentBytes = DefaultSegmentBytes
	}
	if c.SyncDelay == 0 {
		c.SyncDelay = DefaultSyncDelay
	}
	if c.Committers == 0 {
		c.Committers = DefaultCommitters
	}
	return c
}

// Validate fills in the defaults of zero fields and checks the values.
func (c *Config) Validate() error {
	*c = c.withDefaults()
	switch {
	case c.Dir == "":
		return errors.New("spool: dir is required")
	case c.MaxBytes < 0:
		return fmt.Errorf("spool: max_bytes %d is negative", c.MaxBytes)
	case c.SegmentBytes < minSegmentBytes:
		return fmt.Errorf("spool: segment_bytes %d is below %d", c.SegmentBytes, minSegmentBytes)
	case c.SyncDelay > maxSyncDelay:
		return fmt.Errorf("spool: sync_delay %s is above %s", c.SyncDelay, maxSyncDelay)
	case c.Committers < 0 || c.Committers > MaxCommitters:
		return fmt.Errorf("spool: committers %d is outside [1, %d]", c.Committers, MaxCommitters)
	}
	return nil
}

// writeLimit is the most bytes one group commit writes.
func (c *Config) writeLimit() int64 {
	return min(maxWriteBytes, c.SegmentBytes-headerSize)
}
