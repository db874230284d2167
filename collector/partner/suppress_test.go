package partner

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// check verifies what an export shows: no visible cell of fewer than k
// people, and what the total minus the visible cells reveals is either
// nothing or the sum of two or more suppressed cells with at least k
// people together.
func check(t *testing.T, cells []Cell, suppressTotal bool, k uint64) {
	t.Helper()
	var n int
	var people uint64
	for _, c := range cells {
		if !c.Suppressed && c.People < k {
			t.Fatalf("visible cell %+v below k=%d", c, k)
		}
		if c.Suppressed {
			n++
			people += c.People
		}
	}
	if !suppressTotal && n > 0 && (n < 2 || people < k) {
		t.Fatalf("total minus visible reveals %d suppressed cell(s) of %d people: %+v", n, people, cells)
	}
}

func TestSuppress(t *testing.T) {
	for _, c := range []struct {
		name       string
		people     []uint64
		suppressed []bool
		total      bool
	}{
		{"nothing small", []uint64{50, 20, 10}, []bool{false, false, false}, false},
		{"one small cell takes the smallest other", []uint64{50, 20, 3}, []bool{false, true, true}, false},
		{"two small cells, too few together", []uint64{50, 20, 3, 2}, []bool{false, true, true, true}, false},
		{"two small cells, enough together", []uint64{50, 20, 6, 5}, []bool{false, false, true, true}, false},
		{"a single small cell alone", []uint64{3}, []bool{true}, true},
		{"all small, enough together", []uint64{4, 3, 3}, []bool{true, true, true}, false},
		{"all small, too few", []uint64{4, 3}, []bool{true, true}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			cells := make([]Cell, len(c.people))
			for i, p := range c.people {
				cells[i] = Cell{Value: fmt.Sprint(i), People: p, Pageviews: p * 3}
			}
			total := Suppress(cells, 10)
			for i := range cells {
				if cells[i].Suppressed != c.suppressed[i] {
					t.Fatalf("suppressed %+v, want %v", cells, c.suppressed)
				}
			}
			if total != c.total {
				t.Fatalf("total suppressed %v, want %v", total, c.total)
			}
			check(t, cells, total, 10)
		})
	}
}

// TestSuppressRandom: on many random tables, no export shows a cell below
// k, directly or by subtraction from the total.
func TestSuppressRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5000; i++ {
		k := uint64(2 + r.IntN(20))
		cells := make([]Cell, 1+r.IntN(12))
		for j := range cells {
			cells[j] = Cell{People: uint64(r.IntN(40)), Pageviews: uint64(r.IntN(500))}
		}
		total := Suppress(cells, k)
		check(t, cells, total, k)
	}
}
