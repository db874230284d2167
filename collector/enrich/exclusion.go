package enrich

import (
	"errors"
	"regexp"
	"regexp/syntax"
	"strings"
)

// exclusionRemover does what crawlerdetect's exclusion step does,
// exclusionsRegex.ReplaceAllString(s, "") with exclusionsRegex the
// alternation "(?i)(e1|e2|…)", on ASCII text, without running the
// alternation at every position. Each exclusion must begin with one of a
// few literals, so a match can start only where one of them occurs; one
// Aho-Corasick pass finds those places. The alternation's leftmost-first
// rule picks, at the leftmost place where any exclusion matches, the
// first exclusion in list order that matches there, with that exclusion's
// own preferred length; the next search starts where the match ended.
// exclusionRemover follows exactly that, trying each exclusion anchored at
// the places its literals mark, in order of place and then of list. That
// an exclusion matched alone at a place matches as it would inside the
// whole string holds because no exclusion has an assertion (^, $, \b),
// which is checked when it is built, as are that none matches the empty
// text (ReplaceAll treats empty matches specially) and that none sets
// flags of its own.
type exclusionRemover struct {
	anchored []*regexp.Regexp // exclusion i, matching only at the start
	lits     *literalIndex    // the literals that exclusions begin with
	litExcl  [][]int32        // literal → exclusions that may begin with it
	litLen   []int
	all      *regexp.Regexp // the whole alternation, for texts with many places
}

// maxExclusionPlaces bounds the places tried in one text; a text with more
// goes to the whole alternation.
const maxExclusionPlaces = 128

// newExclusionRemover compiles the exclusion patterns, or reports why
// they do not qualify.
func newExclusionRemover(pats []string) (*exclusionRemover, error) {
	x := &exclusionRemover{}
	var tab literalTable
	for i, p := range pats {
		if setsFlags(p) {
			return nil, errors.New("exclusion with flags: " + p)
		}
		tree, err := syntax.Parse("(?i)(?:"+p+")", syntax.Perl)
		if err != nil {
			return nil, err
		}
		if hasAssertion(tree) {
			return nil, errors.New("exclusion with an assertion: " + p)
		}
		pre, ok := prefixes(tree)
		if !ok || nonEmpty(pre) == nil {
			return nil, errors.New("exclusion without leading literals: " + p)
		}
		re, err := regexp.Compile("^(?i:(?:" + p + "))")
		if err != nil {
			return nil, err
		}
		if re.MatchString("") {
			return nil, errors.New("exclusion that matches the empty text: " + p)
		}
		x.anchored = append(x.anchored, re)
		// Not minimal(): a literal that contains another one begins a
		// match at a different place.
		for _, lit := range dedup(pre) {
			id, added := tab.id(lit)
			if added {
				x.litExcl = append(x.litExcl, nil)
				x.litLen = append(x.litLen, len(lit))
			}
			x.litExcl[id] = append(x.litExcl[id], int32(i))
		}
	}
	x.lits = newLiteralIndex(tab.lits)
	x.all = regexp.MustCompile("(?i)(" + strings.Join(pats, "|") + ")")
	return x, nil
}

// hasAssertion reports whether re contains an empty-width assertion.
func hasAssertion(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	}
	for _, sub := range re.Sub {
		if hasAssertion(sub) {
			return true
		}
	}
	return false
}

// exclusionPlace is a place where exclusion excl may begin.
type exclusionPlace struct {
	start int
	excl  int32
}

// remove returns s without the exclusions' matches; lower is s with ASCII
// letters lower-cased, and s must be ASCII.
func (x *exclusionRemover) remove(s string, lower []byte) string {
	var buf [maxExclusionPlaces]exclusionPlace
	places := buf[:0]
	full := false
	x.lits.scan(lower, func(id int32, last int) {
		for _, e := range x.litExcl[id] {
			if len(places) == cap(places) {
				full = true
				return
			}
			places = append(places, exclusionPlace{last + 1 - x.litLen[id], e})
		}
	})
	if full {
		return x.all.ReplaceAllString(s, "")
	}
	// Insertion sort by place, then by list order: the lists are short.
	for i := 1; i < len(places); i++ {
		for j := i; j > 0 && placeLess(places[j], places[j-1]); j-- {
			places[j], places[j-1] = places[j-1], places[j]
		}
	}
	var out []byte
	done := 0 // s[:done] is decided: copied to out or removed
	for _, pl := range places {
		if pl.start < done {
			continue
		}
		loc := x.anchored[pl.excl].FindStringIndex(s[pl.start:])
		if loc == nil {
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(s))
		}
		out = append(out, s[done:pl.start]...)
		done = pl.start + loc[1]
	}
	if out == nil {
		return s
	}
	return string(append(out, s[done:]...))
}

func placeLess(a, b exclusionPlace) bool {
	return a.start < b.start || a.start == b.start && a.excl < b.excl
}
