package spool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// fillConcurrently appends from several goroutines until each one gets an
// error, and returns the acknowledged IDs and the errors.
func fillConcurrently(tb testing.TB, s *Spool, prefix string) (map[string]bool, []error) {
	tb.Helper()
	var mu sync.Mutex
	acked := map[string]bool{}
	var errs []error
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				id := fmt.Sprintf("%s%d-%d", prefix, w, i)
				err := s.Append(context.Background(), payload(id, i))
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
					mu.Unlock()
					return
				}
				acked[id] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return acked, errs
}

// checkDrained reads everything and checks it is exactly the acknowledged
// records.
func checkDrained(tb testing.TB, s *Spool, acked map[string]bool) {
	tb.Helper()
	got := drain(tb, s, 500)
	seen := map[string]bool{}
	for _, id := range got {
		if seen[id] {
			tb.Fatalf("record %s read twice", id)
		}
		if !acked[id] {
			tb.Fatalf("record %s read but never acknowledged", id)
		}
		seen[id] = true
	}
	if len(seen) != len(acked) {
		tb.Fatalf("read %d records, acknowledged %d", len(seen), len(acked))
	}
}

func TestFullDisk(t *testing.T) {
	for _, tt := range []struct {
		name       string
		noPrealloc bool // the disk fills up in the middle of a write
	}{{"tmpfs", false}, {"tmpfs without preallocation", true}} {
		t.Run(tt.name, func(t *testing.T) { testFullDisk(t, tt.noPrealloc) })
	}
}

func testFullDisk(t *testing.T, noPrealloc bool) {
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=2m"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("cannot mount a 2 MiB tmpfs to fill (CI runs as root): %v", err)
		}
		t.Skipf("cannot mount a 2 MiB tmpfs to fill (needs root or CAP_SYS_ADMIN): %v", err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	cfg := Config{Dir: dir, SegmentBytes: 64 << 10, MaxBytes: 1 << 30, noPrealloc: noPrealloc}
	s, reg := openSpool(t, cfg)

	acked, errs := fillConcurrently(t, s, "f")
	for _, err := range errs {
		if !errors.Is(err, ErrFull) || !errors.Is(err, unix.ENOSPC) {
			t.Fatalf("Append on a full disk = %v, want ErrFull wrapping ENOSPC", err)
		}
	}
	t.Logf("%d records acknowledged, then: %v", len(acked), errs[0])
	if err := s.Writable(); !errors.Is(err, ErrFull) {
		t.Errorf("Writable on a full disk = %v, want ErrFull", err)
	}
	if len(acked) < 1000 {
		t.Fatalf("only %d records fit in 2 MiB", len(acked))
	}
	if v := metricValue(t, reg, "ashiato_spool_append_errors_total", "reason", "full"); v == 0 {
		t.Error("append_errors_total{reason=full} not counted")
	}
	// Still full: appends keep failing cleanly, nothing is acknowledged.
	if err := s.Append(context.Background(), payload("x-0", 0)); !errors.Is(err, ErrFull) {
		t.Fatalf("second Append on a full disk = %v", err)
	}

	// Draining frees the segments; the spool recovers by itself.
	checkDrained(t, s, acked)
	acked2, errs := fillConcurrently(t, s, "g")
	if len(acked2) < 1000 || !errors.Is(errs[0], ErrFull) {
		t.Fatalf("after recovery %d records fit, error %v", len(acked2), errs[0])
	}

	// A restart on a full disk loses nothing either.
	s.Close()
	s2, _ := openSpool(t, cfg)
	if err := s2.Append(context.Background(), payload("y-0", 0)); !errors.Is(err, ErrFull) {
		t.Fatalf("Append after reopening a full disk = %v, want ErrFull", err)
	}
	checkDrained(t, s2, acked2)
	if err := s2.Append(context.Background(), payload("z-0", 0)); err != nil {
		t.Fatalf("Append after draining = %v", err)
	}
	if err := s2.Writable(); err != nil {
		t.Errorf("Writable after a write succeeded again = %v", err)
	}
}

// TestWritable checks the spool's readiness: writable when open, not at
// the cap (ErrFull) or after Close (ErrClosed), writable again once
// drained and written to.
func TestWritable(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxBytes = 64 << 10
	s, _ := openSpool(t, cfg)
	if err := s.Writable(); err != nil {
		t.Fatalf("Writable on a new spool = %v", err)
	}
	acked, errs := fillConcurrently(t, s, "c")
	if !errors.Is(errs[0], ErrFull) {
		t.Fatalf("Append at the cap = %v, want ErrFull", errs[0])
	}
	if err := s.Writable(); !errors.Is(err, ErrFull) {
		t.Errorf("Writable at the cap = %v, want ErrFull", err)
	}
	checkDrained(t, s, acked)
	if err := s.Append(context.Background(), payload("d-0", 0)); err != nil {
		t.Fatalf("Append after draining = %v", err)
	}
	if err := s.Writable(); err != nil {
		t.Errorf("Writable after draining and a write = %v", err)
	}
	s.Close()
	if err := s.Writable(); !errors.Is(err, ErrClosed) {
		t.Errorf("Writable after Close = %v, want ErrClosed", err)
	}
}
