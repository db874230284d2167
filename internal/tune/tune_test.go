package tune

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

// restoreRuntime puts the runtime settings back after the test.
func restoreRuntime(t *testing.T) {
	procs, limit := runtime.GOMAXPROCS(0), debug.SetMemoryLimit(-1)
	gc := debug.SetGCPercent(100)
	debug.SetGCPercent(gc)
	t.Cleanup(func() {
		runtime.GOMAXPROCS(procs)
		debug.SetMemoryLimit(limit)
		debug.SetGCPercent(gc)
	})
}

func TestRuntime(t *testing.T) {
	restoreRuntime(t)
	runtime.GOMAXPROCS(defaultProcs)
	debug.SetMemoryLimit(math.MaxInt64)
	debug.SetGCPercent(100)
	for range 2 { // idempotent
		Runtime(func(string) string { return "" })
	}
	if got := runtime.GOMAXPROCS(0); got != defaultProcs+1 {
		t.Errorf("GOMAXPROCS %d, want %d (one more than the CPUs)", got, defaultProcs+1)
	}
	if got := debug.SetMemoryLimit(-1); got != 160<<20 {
		t.Errorf("memory limit %d, want 160 MiB", got)
	}
	if got := debug.SetGCPercent(200); got != 200 {
		t.Errorf("GC percent %d, want 200", got)
	}
}

func TestRuntimeYieldsToTheEnvironment(t *testing.T) {
	restoreRuntime(t)
	runtime.GOMAXPROCS(defaultProcs)
	debug.SetMemoryLimit(math.MaxInt64)
	debug.SetGCPercent(100)
	Runtime(func(string) string { return "set" })
	if got := runtime.GOMAXPROCS(0); got != defaultProcs {
		t.Errorf("GOMAXPROCS %d with GOMAXPROCS set, want %d", got, defaultProcs)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("memory limit %d with GOMEMLIMIT set, want unchanged", got)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent %d with GOGC set, want 100", got)
	}
}
