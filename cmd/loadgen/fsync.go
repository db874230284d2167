package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// FsyncOptions configures one fsync probe.
type FsyncOptions struct {
	Dir  string // where the probe file is made (the spool's disk)
	N    int    // group commits
	Size int    // bytes per group commit
	Busy int    // goroutines that keep CPUs busy meanwhile, each on its own thread
}

// FsyncResult is what one group commit cost.
type FsyncResult struct {
	Dir  string `json:"dir"`
	N    int    `json:"n"`
	Size int    `json:"size"`
	Busy int    `json:"busy"`
	// Latency is the wall time of each write + fdatasync.
	Latency Percentiles `json:"latency_ms"`
	// CPUPerOp is the CPU time (user + system) of the thread that wrote
	// and synced, per group commit, in µs. On a virtual machine it can
	// include time the guest CPU was stalled while the host handled the
	// virtual disk's notifications.
	CPUPerOp float64 `json:"cpu_us_per_op"`
}

// RunFsync measures what the spool's group commit costs on a disk: it
// writes Size bytes after the previous ones in a file that was filled with
// zeros and synced first (as the spool prepares its segments), then calls
// fdatasync, N times. With Busy > 0 the same runs while busy loops occupy
// the CPUs: on a virtual machine the host's work for a sync gets slower,
// and costs the guest more CPU, when its CPUs are busy, which a machine
// serving requests is.
func RunFsync(o FsyncOptions) (FsyncResult, error) {
	if o.N < 1 || o.Size < 1 || o.Busy < 0 {
		return FsyncResult{}, errors.New("-n and -size must be ≥ 1, -busy ≥ 0")
	}
	f, err := os.CreateTemp(o.Dir, "loadgen-fsync-*")
	if err != nil {
		return FsyncResult{}, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := fillZeros(f, int64(o.N)*int64(o.Size)); err != nil {
		return FsyncResult{}, err
	}

	stop := spin(o.Busy)
	defer stop()

	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	buf := make([]byte, o.Size)
	for i := range buf {
		buf[i] = byte(i)
	}
	lat := make([]time.Duration, 0, o.N)
	c0 := threadCPU()
	for i := range o.N {
		t0 := time.Now()
		if _, err := f.WriteAt(buf, int64(i)*int64(o.Size)); err != nil {
			return FsyncResult{}, err
		}
		if err := unix.Fdatasync(int(f.Fd())); err != nil {
			return FsyncResult{}, fmt.Errorf("fdatasync: %w", err)
		}
		lat = append(lat, time.Since(t0))
	}
	cpu := threadCPU() - c0
	return FsyncResult{Dir: o.Dir, N: o.N, Size: o.Size, Busy: o.Busy, Latency: Summarise(lat),
		CPUPerOp: float64(cpu.Nanoseconds()) / 1000 / float64(o.N)}, nil
}

// fillZeros writes n zero bytes at the start of f and syncs them.
func fillZeros(f *os.File, n int64) error {
	zero := make([]byte, 1<<20)
	for off := int64(0); off < n; off += int64(len(zero)) {
		if _, err := f.WriteAt(zero[:min(int64(len(zero)), n-off)], off); err != nil {
			return err
		}
	}
	return unix.Fdatasync(int(f.Fd()))
}

// spin keeps n threads busy until the returned function is called.
func spin(n int) (stop func()) {
	if n == 0 {
		return func() {}
	}
	prev := runtime.GOMAXPROCS(0)
	if prev < n+1 { // the syncing thread needs a P of its own
		runtime.GOMAXPROCS(n + 1)
	}
	var done atomic.Bool
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for x := uint64(0); !done.Load(); x++ {
				_ = x * x
			}
		})
	}
	return func() {
		done.Store(true)
		wg.Wait()
		if prev < n+1 {
			runtime.GOMAXPROCS(prev)
		}
	}
}

// threadCPU is the calling thread's CPU time so far.
func threadCPU() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func runFsync(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("fsync", flag.ContinueOnError)
	var o FsyncOptions
	fs.StringVar(&o.Dir, "dir", ".", "folder on the disk to measure (the spool's)")
	fs.IntVar(&o.N, "n", 2000, "group commits")
	fs.IntVar(&o.Size, "size", 12288, "bytes per group commit")
	fs.IntVar(&o.Busy, "busy", 0, "busy loops that occupy CPUs meanwhile (e.g. one per CPU)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	res, err := RunFsync(o)
	if err != nil {
		return err
	}
	return writeJSON(w, res)
}
