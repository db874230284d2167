// Package pace keeps the collector's long CPU-bound background loops from
// holding a scheduler slot while request handlers wait to run.
//
// Go's scheduler has no priorities and preempts a running goroutine only
// after about 10 ms. On a two-core machine the writer, decoding a second's
// worth of spool records and building its ClickHouse columns, held one of
// the two Ps for 10–20 ms at a time (runtime/trace), and the handlers
// queued behind it answered that much later: the p99 of POST /api/event was
// set by those stretches (docs/BENCHMARKS.md). A loop that calls Step once
// per item gives its P away about every Slice of work instead.
package pace

import (
	"runtime"
	"time"
)

// Slice is about how long a background loop runs before it yields.
const Slice = 200 * time.Microsecond

// checkEvery is how many Steps pass between two looks at the clock.
const checkEvery = 64

// yield gives the processor away; a variable for the tests.
var yield = runtime.Gosched

// Yielder paces one goroutine's loop; its zero value is ready. It is not
// safe for concurrent use.
type Yielder struct {
	n    uint32 // items since the last look at the clock
	last time.Time
}

// Step counts one item of work and yields the processor when the loop has
// run for Slice since it last yielded.
func (y *Yielder) Step() { y.Steps(1) }

// Steps counts n items of work, as Step.
func (y *Yielder) Steps(n int) {
	y.n += uint32(n)
	if y.n < checkEvery {
		return
	}
	y.n = 0
	if now := time.Now(); now.Sub(y.last) >= Slice {
		yield()
		y.last = time.Now()
	}
}
