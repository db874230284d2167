// Package tune sets the Go runtime up for a server that acknowledges only
// what its spool has synced: `ashiato serve`, and the bench's durable floor
// (cmd/barefiber), which must run as the collector does to be its floor.
package tune

import (
	"runtime"
	"runtime/debug"
)

// defaultProcs is GOMAXPROCS as the Go runtime chose it (the CPUs the
// process may use), before Runtime.
var defaultProcs = runtime.GOMAXPROCS(0)

// Runtime sets the Go runtime up; each setting yields to its environment
// variable when that is set. The figures behind each are in
// docs/BENCHMARKS.md.
func Runtime(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" {
		// A soft heap limit keeps the process well under 256 MiB while a
		// large backlog drains.
		debug.SetMemoryLimit(160 << 20)
	}
	if getenv("GOMAXPROCS") == "" {
		// One processor more than the CPUs: the spool committer spends most
		// of its time in fdatasync, a blocking system call that keeps its
		// processor until the runtime's monitor takes it back, so with
		// exactly one per CPU the handlers often had one CPU's worth. The
		// extra one raised throughput in three of three runs alternating
		// under wrk and lowered p99 at half load in three of four.
		runtime.GOMAXPROCS(defaultProcs + 1)
	}
	if getenv("GOGC") == "" {
		// The live heap under load is ~55 MiB: with the default GOGC=100
		// the collector ran the GC twice as often as the memory budget
		// needs. 200 lets the heap grow to the soft limit first (same peak
		// RSS); it cut CPU per request from 73–88 to 65 µs under wrk.
		debug.SetGCPercent(200)
	}
}
