package pace

import (
	"testing"
	"time"
)

// countYields counts the yields until the test ends.
func countYields(t *testing.T) *int {
	n, orig := new(int), yield
	yield = func() { *n++ }
	t.Cleanup(func() { yield = orig })
	return n
}

// A loop that keeps working yields again and again, about every Slice.
func TestYielderYieldsDuringLongWork(t *testing.T) {
	n := countYields(t)
	var y Yielder
	const work = 40 * Slice
	for start := time.Now(); time.Since(start) < work; {
		y.Step()
	}
	// About 40; time spent descheduled only adds yields.
	if *n < 10 {
		t.Fatalf("%d yields in %s of work, want about %d", *n, work, work/Slice)
	}
}

// Steps that take no time do not yield at each clock check: only once a
// Slice has passed.
func TestYielderDoesNotYieldBeforeSlice(t *testing.T) {
	n := countYields(t)
	var y Yielder
	y.Steps(checkEvery) // the first check yields (no earlier yield)
	if *n != 1 {
		t.Fatalf("first check: %d yields, want 1", *n)
	}
	for range 100 {
		y.Steps(checkEvery)
	}
	// 100 clock checks in far less than a Slice; each preemption of the
	// test longer than a Slice may add one (a loaded CI machine).
	if *n > 10 {
		t.Fatalf("%d yields for 100 checks within a Slice, want 1", *n)
	}
}
