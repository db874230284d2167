package partner

// Suppression of a cross table. The published numbers obey one equation
// per row (its cells add up to the row total), per column, and for the
// row and column totals (they add up to the grand total). Seen as a table
// of (rows+1) × (columns+1) entries — the cells, a column of row totals,
// a row of column totals and the grand total in the corner — a suppressed
// entry can be worked out from what is published exactly when no cycle
// of suppressed entries (alternating along a row and a column) passes
// through it: in the graph whose vertices are the extended rows and
// columns and whose edges are the suppressed entries, exactly when it is
// a bridge. Suppress therefore suppresses, after the cells below k, more
// entries until no suppressed entry is a bridge, and until every row and
// column whose total is published holds no suppressed cell or at least
// two with k people together (the rule of the one-dimensional export).

// Suppress marks the cells of fewer than k people (primary suppression)
// and then the complementary cells, and totals where no cell is left, as
// described above, preferring the cells of fewest people.
func (t *Cross) Suppress(k uint64) {
	for i := range t.Cells {
		for j := range t.Cells[i] {
			if c := &t.Cells[i][j]; !empty(*c) && c.People < k {
				c.Suppressed = true
			}
		}
	}
	for t.fixLine(k) || t.fixBridge() {
	}
}

func empty(c Cell) bool { return c.Pageviews == 0 && c.People == 0 }

// The extended table: entry (r, c) with r == len(Rows) the column totals
// and c == len(Cols) the row totals.

func (t *Cross) suppressed(r, c int) bool {
	R, C := len(t.Rows), len(t.Cols)
	switch {
	case r < R && c < C:
		return t.Cells[r][c].Suppressed
	case r < R:
		return t.RowTotals[r].Suppressed
	case c < C:
		return t.ColTotals[c].Suppressed
	}
	return t.Grand.Suppressed
}

func (t *Cross) suppress(r, c int) {
	R, C := len(t.Rows), len(t.Cols)
	switch {
	case r < R && c < C:
		t.Cells[r][c].Suppressed = true
	case r < R:
		t.RowTotals[r].Suppressed = true
	case c < C:
		t.ColTotals[c].Suppressed = true
	default:
		t.Grand.Suppressed = true
	}
}

// cost is what suppressing entry (r, c) hides: a cell's people (its
// pageviews break ties), far less than an empty cell, a row or column
// total, or the grand total, in that order.
func (t *Cross) cost(r, c int) float64 {
	R, C := len(t.Rows), len(t.Cols)
	switch {
	case t.suppressed(r, c):
		return 0
	case r < R && c < C && !empty(t.Cells[r][c]):
		return float64(t.Cells[r][c].People) + float64(t.Cells[r][c].Pageviews)*1e-9
	case r < R && c < C:
		return 1e12
	case r < R || c < C:
		return 1e13
	}
	return 1e14
}

// fixLine finds a row or column whose total is published and whose
// suppressed cells are one, or fewer than k people together, and
// suppresses its cheapest other cell (its total when it has none left).
func (t *Cross) fixLine(k uint64) bool {
	R, C := len(t.Rows), len(t.Cols)
	line := func(n int, at func(i int) (r, c int)) bool {
		var count int
		var people uint64
		best, bestCost := -1, 0.0
		for i := 0; i < n; i++ {
			r, c := at(i)
			if t.suppressed(r, c) {
				count++
				people += t.Cells[r][c].People
			} else if !empty(t.Cells[r][c]) && (best < 0 || t.cost(r, c) < bestCost) {
				best, bestCost = i, t.cost(r, c)
			}
		}
		if count == 0 || count >= 2 && people >= k {
			return false
		}
		if best < 0 {
			best = n // the line's total
		}
		t.suppress(at(best))
		return true
	}
	for r := 0; r < R; r++ {
		if !t.RowTotals[r].Suppressed && line(C, func(i int) (int, int) { return r, i }) {
			return true
		}
	}
	for c := 0; c < C; c++ {
		if !t.ColTotals[c].Suppressed && line(R, func(i int) (int, int) { return i, c }) {
			return true
		}
	}
	return false
}

// fixBridge finds a suppressed entry that is a bridge and suppresses the
// cheapest rectangle through it (the three other corners), which puts it
// on a cycle.
func (t *Cross) fixBridge() bool {
	R, C := len(t.Rows), len(t.Cols)
	r, c, ok := t.bridge()
	if !ok {
		return false
	}
	br, bc, best := -1, -1, 0.0
	for r2 := 0; r2 <= R; r2++ {
		for c2 := 0; c2 <= C; c2++ {
			if r2 == r || c2 == c {
				continue
			}
			if cost := t.cost(r, c2) + t.cost(r2, c) + t.cost(r2, c2); br < 0 || cost < best {
				br, bc, best = r2, c2, cost
			}
		}
	}
	t.suppress(r, bc)
	t.suppress(br, c)
	t.suppress(br, bc)
	return true
}

// bridge returns a suppressed entry of the extended table that is a
// bridge of the graph of suppressed entries (Tarjan's low-link search).
func (t *Cross) bridge() (int, int, bool) {
	R, C := len(t.Rows), len(t.Cols)
	n := R + 1 + C + 1 // vertices: extended rows, then extended columns
	adj := make([][]int, n)
	for r := 0; r <= R; r++ {
		for c := 0; c <= C; c++ {
			if t.suppressed(r, c) {
				adj[r] = append(adj[r], R+1+c)
				adj[R+1+c] = append(adj[R+1+c], r)
			}
		}
	}
	order, low := make([]int, n), make([]int, n)
	next := 1
	var br, bc int
	found := false
	var visit func(v, parent int)
	visit = func(v, parent int) {
		order[v], low[v] = next, next
		next++
		for _, w := range adj[v] {
			switch {
			case found:
				return
			case order[w] == 0:
				visit(w, v)
				low[v] = min(low[v], low[w])
				if low[w] > order[v] && !found {
					found = true
					br, bc = min(v, w), max(v, w)-R-1
				}
			case w != parent: // no parallel edges: each pair is one entry
				low[v] = min(low[v], order[w])
			}
		}
	}
	for v := 0; v < n && !found; v++ {
		if order[v] == 0 {
			visit(v, -1)
		}
	}
	return br, bc, found
}
