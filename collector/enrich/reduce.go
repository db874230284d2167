package enrich

import (
	"regexp"
	"regexp/syntax"
	"sync"
)

// altReducer runs a regex with a large alternation (uap-core's
// "(bingbot|Bolt|AdobeAIR|…)", with up to a hundred names) as a smaller
// regex: one without the alternatives whose required literals are absent
// from the text. Go's regexp steps every alternative at every position of
// the text, so the alternation costs tens of microseconds even where one
// name occurs. An alternative that cannot match anywhere in the text never
// takes part in a match: leaving it out changes neither whether, nor
// where, nor how the regex matches (leftmost-first order included), and
// alternatives with capture groups are always kept so that the groups keep
// their numbers. Each set of kept alternatives is compiled once and
// cached. The cache is bounded, and safe for concurrent use.
type altReducer[T any] struct {
	tree *syntax.Regexp // the regex's parse
	alt  *syntax.Regexp // its largest alternation, a node of tree
	lits []literalSet   // per alternative: one of these occurs where it matches; nil: always kept
	ids  [][]int32      // lits as literal ids of the prefilter
	with func(*regexp.Regexp) func(string, *T)

	mu    sync.RWMutex
	cache map[string]func(string, *T) // bit set of kept alternatives → match
}

// Limits of altReducer: the smallest alternation worth it, the largest it
// handles, and the cache size per regex.
const (
	minReducedAlts = 8
	maxReducedAlts = 512
	maxReducedSets = 128
)

// newAltReducer returns a reducer for re, or nil when re has no
// alternation worth it. with returns the match function for a regex that
// replaces re.
func newAltReducer[T any](re *regexp.Regexp, with func(*regexp.Regexp) func(string, *T)) *altReducer[T] {
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	alt := largestAlternation(tree)
	if alt == nil || len(alt.Sub) < minReducedAlts || len(alt.Sub) > maxReducedAlts {
		return nil
	}
	r := &altReducer[T]{tree: tree, alt: alt, with: with, cache: map[string]func(string, *T){}}
	for _, sub := range alt.Sub {
		var l literalSet
		if !hasCapture(sub) {
			l = minimal(dedup(required(sub)))
		}
		r.lits = append(r.lits, l)
	}
	return r
}

// largestAlternation returns the alternation node of re with the most
// alternatives, or nil.
func largestAlternation(re *syntax.Regexp) *syntax.Regexp {
	var best *syntax.Regexp
	if re.Op == syntax.OpAlternate {
		best = re
	}
	for _, sub := range re.Sub {
		if b := largestAlternation(sub); b != nil && (best == nil || len(b.Sub) > len(best.Sub)) {
			best = b
		}
	}
	return best
}

func hasCapture(re *syntax.Regexp) bool {
	if re.Op == syntax.OpCapture {
		return true
	}
	for _, sub := range re.Sub {
		if hasCapture(sub) {
			return true
		}
	}
	return false
}

// matcher returns the match function for a text in which the literals
// seen were found: full when every alternative is kept.
func (r *altReducer[T]) matcher(seen []uint64, full func(string, *T)) func(string, *T) {
	var buf [maxReducedAlts / 8]byte
	key := buf[:(len(r.ids)+7)/8]
	all := true
	for j, ids := range r.ids {
		if ids == nil || anySeen(seen, ids) {
			key[j/8] |= 1 << (j % 8)
		} else {
			all = false
		}
	}
	if all {
		return full
	}
	r.mu.RLock()
	f := r.cache[string(key)]
	r.mu.RUnlock()
	if f != nil {
		return f
	}
	f = full
	if re := r.compile(key); re != nil {
		f = r.with(re)
	}
	r.mu.Lock()
	if len(r.cache) >= maxReducedSets {
		clear(r.cache)
	}
	r.cache[string(key)] = f
	r.mu.Unlock()
	return f
}

// compile returns the regex with only the alternatives in keep, or nil if
// it does not compile to the same capture groups.
func (r *altReducer[T]) compile(keep []byte) *regexp.Regexp {
	alt := *r.alt
	alt.Sub = nil
	for j, sub := range r.alt.Sub {
		if keep[j/8]&(1<<(j%8)) != 0 {
			alt.Sub = append(alt.Sub, sub)
		}
	}
	node := &alt
	switch len(alt.Sub) {
	case 0:
		node = &syntax.Regexp{Op: syntax.OpNoMatch}
	case 1:
		node = alt.Sub[0]
	}
	re, err := regexp.Compile(replaceNode(r.tree, r.alt, node).String())
	if err != nil || re.NumSubexp() != r.tree.MaxCap() {
		return nil
	}
	return re
}

// replaceNode returns a copy of re with old replaced by repl; re is not
// changed.
func replaceNode(re, old, repl *syntax.Regexp) *syntax.Regexp {
	if re == old {
		return repl
	}
	if len(re.Sub) == 0 {
		return re
	}
	c := *re
	c.Sub = make([]*syntax.Regexp, len(re.Sub))
	for i, sub := range re.Sub {
		c.Sub[i] = replaceNode(sub, old, repl)
	}
	return &c
}
