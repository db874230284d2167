package enrich

// patternIndex is a literal prefilter for a list of patterns: one pass of
// an Aho-Corasick automaton over the lower-cased text finds the literals
// that occur, and so the patterns that may match. It is immutable and safe
// for concurrent use.
type patternIndex struct {
	lits   *literalIndex
	litPat [][]int32   // literal → patterns whose first clause it satisfies
	always []uint64    // patterns that have no required literal
	extra  [][][]int32 // pattern → further clauses, each a set of literals
	checks []int32     // patterns that have further clauses
}

// newPatternIndex indexes patterns by their required literals: pattern i
// can match only a text that, for each clause of needs[i], contains one of
// its literals; with no clause, any text. The literals of watch are looked
// for too; their ids, for the set of found literals that mark fills in,
// are returned.
func newPatternIndex(needs [][]literalSet, watch []literalSet) (*patternIndex, [][]int32) {
	x := &patternIndex{always: make([]uint64, (len(needs)+63)/64), extra: make([][][]int32, len(needs))}
	var tab literalTable
	id := func(lit string) int32 {
		n, added := tab.id(lit)
		if added {
			x.litPat = append(x.litPat, nil)
		}
		return n
	}
	for p, clauses := range needs {
		if len(clauses) == 0 {
			x.always[p/64] |= 1 << (p % 64)
			continue
		}
		for _, lit := range clauses[0] {
			n := id(lit)
			x.litPat[n] = append(x.litPat[n], int32(p))
		}
		for _, c := range clauses[1:] {
			var ls []int32
			for _, lit := range c {
				ls = append(ls, id(lit))
			}
			x.extra[p] = append(x.extra[p], ls)
		}
		if len(x.extra[p]) > 0 {
			x.checks = append(x.checks, int32(p))
		}
	}
	watchIDs := make([][]int32, len(watch))
	for i, w := range watch {
		for _, lit := range w {
			watchIDs[i] = append(watchIDs[i], id(lit))
		}
	}
	x.lits = newLiteralIndex(tab.lits)
	return x, watchIDs
}

// seenWords is the length of a set of found literals.
func (x *patternIndex) seenWords() int { return (len(x.litPat) + 63) / 64 }

// anySeen reports whether one of the literals ids is in seen.
func anySeen(seen []uint64, ids []int32) bool {
	for _, id := range ids {
		if seen[id/64]&(1<<(id%64)) != 0 {
			return true
		}
	}
	return false
}

// words is the length of a pattern set.
func (x *patternIndex) words() int { return len(x.always) }

// literalTable numbers distinct literals in the order they are first seen.
type literalTable struct {
	ids  map[string]int32
	lits []string
}

// id returns the number of lit and whether lit was added by this call.
func (t *literalTable) id(lit string) (int32, bool) {
	if n, ok := t.ids[lit]; ok {
		return n, false
	}
	if t.ids == nil {
		t.ids = map[string]int32{}
	}
	n := int32(len(t.lits))
	t.ids[lit] = n
	t.lits = append(t.lits, lit)
	return n, true
}

// fit returns set and seen (usually arrays on the caller's stack) when they
// are large enough for x, else new slices of the sizes x needs.
func (x *patternIndex) fit(set, seen []uint64) ([]uint64, []uint64) {
	if n := x.words(); n > len(set) {
		set = make([]uint64, n)
	}
	if n := x.seenWords(); n > len(seen) {
		seen = make([]uint64, n)
	}
	return set, seen
}

// mark adds to set (of x.words() words) the patterns that may match the
// text whose ASCII-lower-cased form is lower, and sets seen (of
// x.seenWords() words) to the literals found in it.
func (x *patternIndex) mark(lower []byte, set, seen []uint64) {
	seen = seen[:x.seenWords()]
	clear(seen)
	var mine [64]uint64
	marked := mine[:0]
	if n := len(x.always); n <= cap(marked) {
		marked = marked[:n]
	} else {
		marked = make([]uint64, n)
	}
	x.lits.scan(lower, func(id int32, _ int) {
		if seen[id/64]&(1<<(id%64)) != 0 {
			return
		}
		seen[id/64] |= 1 << (id % 64)
		for _, p := range x.litPat[id] {
			marked[p/64] |= 1 << (p % 64)
		}
	})
	for _, p := range x.checks {
		if marked[p/64]&(1<<(p%64)) == 0 {
			continue
		}
		for _, c := range x.extra[p] {
			if !anySeen(seen, c) {
				marked[p/64] &^= 1 << (p % 64)
				break
			}
		}
	}
	for i, w := range x.always {
		set[i] |= marked[i] | w
	}
}

// isASCII reports whether s has only ASCII bytes.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// asciiLowerInto appends s with ASCII letters lower-cased to dst.
func asciiLowerInto(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		dst = append(dst, lowerByte(s[i]))
	}
	return dst
}
