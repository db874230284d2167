package partner

import (
	"sort"
)

// Cross is a two-dimensional table: pageviews and people per pair of a
// row value and a column value, with the pageviews of each row, of each
// column and of the whole table. A pair without traffic is an empty cell
// (0 pageviews, 0 people), published as 0: it says nobody.
type Cross struct {
	Rows, Cols []string
	Cells      [][]Cell // [row][column]
	RowTotals  []Total
	ColTotals  []Total
	Grand      Total
}

// Total is a sum of pageviews, published unless Suppressed.
type Total struct {
	Pageviews  uint64
	Suppressed bool
}

// pair is one row of queries/partner/cells.sql with two dimensions.
type pair struct {
	Row, Col          string
	Pageviews, People uint64
}

// newCross arranges pairs into a table, rows and columns by pageviews
// (most first), then by value.
func newCross(pairs []pair) *Cross {
	rowPV, colPV := map[string]uint64{}, map[string]uint64{}
	for _, p := range pairs {
		rowPV[p.Row] += p.Pageviews
		colPV[p.Col] += p.Pageviews
	}
	t := &Cross{Rows: byPageviews(rowPV), Cols: byPageviews(colPV)}
	ri, ci := index(t.Rows), index(t.Cols)
	t.Cells = make([][]Cell, len(t.Rows))
	for i := range t.Cells {
		t.Cells[i] = make([]Cell, len(t.Cols))
	}
	for _, p := range pairs {
		t.Cells[ri[p.Row]][ci[p.Col]] = Cell{Value: p.Col, Pageviews: p.Pageviews, People: p.People}
	}
	t.RowTotals, t.ColTotals = make([]Total, len(t.Rows)), make([]Total, len(t.Cols))
	for i, r := range t.Rows {
		t.RowTotals[i].Pageviews = rowPV[r]
		t.Grand.Pageviews += rowPV[r]
	}
	for j, c := range t.Cols {
		t.ColTotals[j].Pageviews = colPV[c]
	}
	return t
}

func byPageviews(m map[string]uint64) []string {
	out := make([]string, 0, len(m))
	for v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(a, b int) bool {
		if m[out[a]] != m[out[b]] {
			return m[out[a]] > m[out[b]]
		}
		return out[a] < out[b]
	})
	return out
}

func index(vs []string) map[string]int {
	m := make(map[string]int, len(vs))
	for i, v := range vs {
		m[v] = i
	}
	return m
}
