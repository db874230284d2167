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
	DefaultSyncDelay    = 0

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
	// SyncDelay is how long the committer waits after the first record of
	// a group before it writes and syncs, to gather more records per
	// fdatasync. Concurrent appenders already share a sync while the
	// previous one runs, so zero is the measured best default here (see
	// the package documentation).
	SyncDelay time.Duration `yaml:"sync_delay"`
}

// RegisterFlags adds the spool flags to fs under the prefix "spool.".
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Dir, "spool.dir", c.Dir, "directory of the durable spool")
	fs.Int64Var(&c.MaxBytes, "spool.max-bytes", DefaultMaxBytes, "cap on unconfirmed bytes in the spool")
	fs.Int64Var(&c.SegmentBytes, "spool.segment-bytes", DefaultSegmentBytes, "spool segment file size")
	fs.DurationVar(&c.SyncDelay, "spool.sync-delay", DefaultSyncDelay, "group-commit window before each fdatasync")
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.MaxBytes == 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.SegmentBytes == 0 {
		c.SegmentBytes = DefaultSegmentBytes
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
	case c.SyncDelay < 0 || c.SyncDelay > maxSyncDelay:
		return fmt.Errorf("spool: sync_delay %s is outside [0, %s]", c.SyncDelay, maxSyncDelay)
	}
	return nil
}

// writeLimit is the most bytes one group commit writes.
func (c *Config) writeLimit() int64 {
	return min(maxWriteBytes, c.SegmentBytes-headerSize)
}
