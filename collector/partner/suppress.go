// Package partner makes statistics for partners (the policy's 統計情報,
// which is no longer personal data): aggregate tables only, every cell of
// fewer than k people suppressed, and complementary suppression so that a
// total minus the visible cells cannot reveal a suppressed cell.
package partner

import (
	"fmt"
	"sort"
)

// Cell is one row of an aggregate table: a value of the dimension, its
// pageviews and a lower bound of the people behind them.
type Cell struct {
	Value      string
	Pageviews  uint64
	People     uint64
	Suppressed bool
}

// Suppress marks the cells of fewer than k people (primary suppression),
// then, while the suppressed cells are a single cell or hold fewer than k
// people together, the smallest visible cell too (complementary
// suppression): the total minus the visible cells then gives only the sum
// of two or more cells with at least k people together. It returns whether
// the total itself must be suppressed (when no cell is left to add).
func Suppress(cells []Cell, k uint64) (suppressTotal bool) {
	var n int
	var people uint64
	for i := range cells {
		if cells[i].People < k {
			cells[i].Suppressed = true
			n++
			people += cells[i].People
		}
	}
	order := make([]int, len(cells))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ca, cb := cells[order[a]], cells[order[b]]
		if ca.People != cb.People {
			return ca.People < cb.People
		}
		return ca.Pageviews < cb.Pageviews
	})
	for _, i := range order {
		if n == 0 || (n >= 2 && people >= k) {
			return false
		}
		if !cells[i].Suppressed {
			cells[i].Suppressed = true
			n++
			people += cells[i].People
		}
	}
	return n > 0 && (n < 2 || people < k)
}

// Rule is the sentence printed in an export's header.
func Rule(k uint64) string {
	return fmt.Sprintf("cells of fewer than %d people are suppressed; where a single cell, or cells of fewer than %d people together, "+
		"would be suppressed, the smallest other cells are suppressed too, so that the total minus the visible cells never "+
		"reveals a suppressed cell; people are lower bounds (the consented visitors, or the busiest day's anonymous visitors if more)", k, k)
}

// CrossRule is the sentence printed in a cross table's header.
func CrossRule(k uint64) string {
	return fmt.Sprintf("cells of fewer than %d people are suppressed; more cells (and, where a row or column has no cell left, its total) "+
		"are suppressed until every row and column with a published total holds no suppressed cell or at least two of %d people together, "+
		"and no suppressed cell or total can be worked out from the published cells, row totals, column totals and grand total by any "+
		"combination of sums and differences; empty cells are 0; people are lower bounds (the consented visitors, or the busiest day's "+
		"anonymous visitors if more)", k, k)
}
