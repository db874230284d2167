package enrich

// literalIndex finds, in one pass over a text, which of many literals occur
// in it (an Aho-Corasick automaton compiled to a DFA over the bytes that
// the literals use). It is immutable after newLiteralIndex and safe for
// concurrent use.
type literalIndex struct {
	class  [256]uint16 // byte → column; 0 for bytes in no literal
	nclass int
	next   []int32   // state*nclass + column → state
	out    [][]int32 // state → literals ending here (own only)
	link   []int32   // state → nearest suffix state with output, or -1
	n      int       // number of literals
}

// newLiteralIndex builds the automaton for lits; literal i is reported as i.
func newLiteralIndex(lits []string) *literalIndex {
	x := &literalIndex{n: len(lits)}
	x.nclass = 1
	for _, s := range lits {
		for i := 0; i < len(s); i++ {
			if x.class[s[i]] == 0 {
				x.class[s[i]] = uint16(x.nclass)
				x.nclass++
			}
		}
	}
	// Trie.
	x.next = make([]int32, x.nclass)
	x.out = [][]int32{nil}
	for id, s := range lits {
		st := int32(0)
		for i := 0; i < len(s); i++ {
			c := int(x.class[s[i]])
			nx := x.next[int(st)*x.nclass+c]
			if nx == 0 {
				nx = int32(len(x.out))
				x.out = append(x.out, nil)
				x.next = append(x.next, make([]int32, x.nclass)...)
				x.next[int(st)*x.nclass+c] = nx
			}
			st = nx
		}
		x.out[st] = append(x.out[st], int32(id))
	}
	// Breadth-first: failure links, output links, DFA transitions.
	nstates := len(x.out)
	fail := make([]int32, nstates)
	x.link = make([]int32, nstates)
	x.link[0] = -1
	queue := make([]int32, 0, nstates)
	for c := 1; c < x.nclass; c++ {
		if nx := x.next[c]; nx != 0 {
			fail[nx] = 0
			x.link[nx] = -1
			queue = append(queue, nx)
		}
	}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		for c := 1; c < x.nclass; c++ {
			i := int(st)*x.nclass + c
			nx := x.next[i]
			f := x.next[int(fail[st])*x.nclass+c]
			if nx == 0 {
				x.next[i] = f // DFA transition
				continue
			}
			fail[nx] = f
			if len(x.out[f]) > 0 {
				x.link[nx] = f
			} else {
				x.link[nx] = x.link[f]
			}
			queue = append(queue, nx)
		}
	}
	return x
}

// scan calls found for every occurrence of a literal in text, with the
// index of the occurrence's last byte.
func (x *literalIndex) scan(text []byte, found func(id int32, last int)) {
	st := int32(0)
	for i := 0; i < len(text); i++ {
		st = x.next[int(st)*x.nclass+int(x.class[text[i]])]
		for s := st; s > 0; s = x.link[s] {
			for _, id := range x.out[s] {
				found(id, i)
			}
		}
	}
}
