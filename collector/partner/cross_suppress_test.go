package partner

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// crossOf builds a table from people per cell (0: an empty cell); each
// person made 3 pageviews.
func crossOf(people [][]uint64) *Cross {
	var pairs []pair
	for i, row := range people {
		for j, p := range row {
			if p > 0 {
				pairs = append(pairs, pair{Row: fmt.Sprint("r", i), Col: fmt.Sprint("c", j), Pageviews: 3 * p, People: p})
			}
		}
	}
	return newCross(pairs)
}

// derivable lists the suppressed entries of the extended table whose
// value follows from the published ones, by brute force: one linear
// equation per row (cells minus row total = 0), per column, and for the
// totals (row totals minus grand total, column totals minus grand total),
// the published values moved to the right-hand side; an unknown is
// derivable when adding "this unknown = its value" does not raise the
// rank of the system (Gaussian elimination).
func derivable(t *Cross) []string {
	R, C := len(t.Rows), len(t.Cols)
	var unknowns [][2]int
	col := map[[2]int]int{}
	for r := 0; r <= R; r++ {
		for c := 0; c <= C; c++ {
			if t.suppressed(r, c) {
				col[[2]int{r, c}] = len(unknowns)
				unknowns = append(unknowns, [2]int{r, c})
			}
		}
	}
	// entry (r, c) takes part in row r's and column c's equation; totals
	// with the opposite sign of cells (the sign does not change the rank).
	var rows [][]float64
	add := func(entries [][2]int) {
		eq := make([]float64, len(unknowns))
		for _, e := range entries {
			if i, ok := col[e]; ok {
				eq[i] = 1
				if e[0] == R || e[1] == C {
					eq[i] = -1
				}
				if e[0] == R && e[1] == C {
					eq[i] = 1
				}
			}
		}
		rows = append(rows, eq)
	}
	for r := 0; r <= R; r++ {
		var es [][2]int
		for c := 0; c <= C; c++ {
			es = append(es, [2]int{r, c})
		}
		add(es)
	}
	for c := 0; c <= C; c++ {
		var es [][2]int
		for r := 0; r <= R; r++ {
			es = append(es, [2]int{r, c})
		}
		add(es)
	}
	base := rank(rows)
	var out []string
	for i, u := range unknowns {
		e := make([]float64, len(unknowns))
		e[i] = 1
		if rank(append(append([][]float64{}, rows...), e)) == base {
			out = append(out, fmt.Sprint(u))
		}
	}
	return out
}

func rank(m [][]float64) int {
	a := make([][]float64, len(m))
	for i := range m {
		a[i] = append([]float64{}, m[i]...)
	}
	rk := 0
	for c := 0; len(a) > 0 && c < len(a[0]); c++ {
		p := -1
		for r := rk; r < len(a); r++ {
			if math.Abs(a[r][c]) > 1e-9 && (p < 0 || math.Abs(a[r][c]) > math.Abs(a[p][c])) {
				p = r
			}
		}
		if p < 0 {
			continue
		}
		a[rk], a[p] = a[p], a[rk]
		for r := range a {
			if r != rk && math.Abs(a[r][c]) > 1e-9 {
				f := a[r][c] / a[rk][c]
				for j := c; j < len(a[r]); j++ {
					a[r][j] -= f * a[rk][j]
				}
			}
		}
		rk++
	}
	return rk
}

// checkCross verifies what a cross export shows: no visible non-empty
// cell below k; no row or column with a published total and exactly one
// suppressed cell, or suppressed cells of fewer than k people together;
// and, by brute force, no suppressed entry derivable from the published
// cells and totals.
func checkCross(t *testing.T, x *Cross, k uint64) {
	t.Helper()
	R, C := len(x.Rows), len(x.Cols)
	for r := 0; r < R; r++ {
		for c := 0; c < C; c++ {
			if cl := x.Cells[r][c]; !cl.Suppressed && !empty(cl) && cl.People < k {
				t.Fatalf("visible cell (%d, %d) of %d people, k = %d", r, c, cl.People, k)
			}
		}
	}
	line := func(name string, total bool, cells []Cell) {
		var n int
		var people uint64
		for _, cl := range cells {
			if cl.Suppressed {
				n++
				people += cl.People
			}
		}
		if !total && n > 0 && (n < 2 || people < k) {
			t.Fatalf("%s: published total, %d suppressed cell(s) of %d people", name, n, people)
		}
	}
	for r := 0; r < R; r++ {
		line(fmt.Sprint("row ", r), x.RowTotals[r].Suppressed, x.Cells[r])
	}
	for c := 0; c < C; c++ {
		cells := make([]Cell, R)
		for r := range cells {
			cells[r] = x.Cells[r][c]
		}
		line(fmt.Sprint("column ", c), x.ColTotals[c].Suppressed, cells)
	}
	if d := derivable(x); len(d) > 0 {
		t.Fatalf("suppressed entries derivable from the published ones: %v", d)
	}
}

// TestCrossSuppress: a table built to need complementary suppression in
// both directions. The one small cell (r1, c1) is alone in its row and its
// column; suppressing a second cell of the row leaves that cell alone in
// its column, and so on: the complements must close a cycle. The cheapest
// is the rectangle (r1, c1), (r1, c2), (r2, c1), (r2, c2) of the cells of
// fewest people; the totals stay published.
func TestCrossSuppress(t *testing.T) {
	x := crossOf([][]uint64{
		{60, 50, 40, 30},
		{50, 3, 12, 40},
		{40, 11, 25, 30},
		{30, 40, 30, 20},
	})
	x.Suppress(10)
	var got [][2]string
	for r := range x.Rows {
		for c := range x.Cols {
			if x.Cells[r][c].Suppressed {
				got = append(got, [2]string{x.Rows[r], x.Cols[c]})
			}
		}
	}
	sort.Slice(got, func(a, b int) bool { return fmt.Sprint(got[a]) < fmt.Sprint(got[b]) })
	want := [][2]string{{"r1", "c1"}, {"r1", "c2"}, {"r2", "c1"}, {"r2", "c2"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("suppressed %v, want %v", got, want)
	}
	for i, tot := range append(append([]Total{x.Grand}, x.RowTotals...), x.ColTotals...) {
		if tot.Suppressed {
			t.Fatalf("total %d suppressed", i)
		}
	}
	checkCross(t, x, 10)

	// The same table with only primary suppression is unsafe: the check
	// would catch it.
	y := crossOf([][]uint64{{60, 50}, {50, 3}})
	y.Cells[1][1].Suppressed = true
	if d := derivable(y); len(d) != 1 {
		t.Fatalf("a lone suppressed cell: derivable %v, want it", d)
	}
}

// TestCrossSuppressEdges: a row whose other cells are empty hides its
// total; a table of one small cell hides everything.
func TestCrossSuppressEdges(t *testing.T) {
	x := crossOf([][]uint64{{3, 0}, {40, 50}})
	x.Suppress(10)
	checkCross(t, x, 10)
	one := crossOf([][]uint64{{3}})
	one.Suppress(10)
	checkCross(t, one, 10)
	if !one.Grand.Suppressed {
		t.Fatalf("a table of one small cell published its total")
	}
}

// TestCrossSuppressRandom: on random tables of up to 6 × 6 (empty cells
// included), no export shows a cell below k, directly or by subtraction
// from any combination of row, column and grand totals.
func TestCrossSuppressRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 1500; i++ {
		k := uint64(2 + r.IntN(15))
		people := make([][]uint64, 1+r.IntN(6))
		cols := 1 + r.IntN(6)
		for j := range people {
			people[j] = make([]uint64, cols)
			for c := range people[j] {
				if r.IntN(5) > 0 {
					people[j][c] = uint64(1 + r.IntN(40))
				}
			}
		}
		x := crossOf(people)
		if len(x.Rows) == 0 {
			continue
		}
		x.Suppress(k)
		checkCross(t, x, k)
	}
}
