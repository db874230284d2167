package enrich

import (
	_ "embed"
	"encoding/json"
	"fmt"
	bits64 "math/bits"
	"regexp"
	"sync"
)

// isbotPatterns is the pattern list of the npm package isbot (Unlicense),
// at the version that data/isbot/NOTICE.md records; `make bot-patterns`
// regenerates it.
//
//go:embed data/isbot/patterns.json
var isbotPatterns []byte

// isbotMatcher answers isbot's isbot(ua): does any of its patterns match,
// case-insensitively? isbot joins them into one JavaScript regex; a
// boolean match of an alternation is the OR of its alternatives, so each
// pattern is compiled alone (lookarounds rewritten by jsToRE2) and a
// literal prefilter (patternIndex) picks the few that can match. It is
// immutable and safe for concurrent use.
type isbotMatcher struct {
	pats  []*regexp.Regexp
	index *patternIndex
}

// sharedIsbot is built once per process from the embedded data, which the
// tests check; New fails when it does not compile, so that no hit is ever
// judged without it.
var sharedIsbot = sync.OnceValues(func() (*isbotMatcher, error) {
	return newIsbotMatcher(isbotPatterns)
})

// newIsbotMatcher compiles a JSON list of isbot patterns.
func newIsbotMatcher(data []byte) (*isbotMatcher, error) {
	var list []string
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("isbot patterns: %w", err)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("isbot patterns: empty list")
	}
	m := &isbotMatcher{}
	needs := make([][]literalSet, 0, len(list))
	for _, p := range list {
		expr, err := jsToRE2(p)
		if err != nil {
			return nil, fmt.Errorf("isbot pattern %q: %w", p, err)
		}
		re, err := regexp.Compile("(?i)(?:" + expr + ")")
		if err != nil {
			return nil, fmt.Errorf("isbot pattern %q: %w", p, err)
		}
		m.pats = append(m.pats, re)
		needs = append(needs, requiredClauses(re))
	}
	m.index, _ = newPatternIndex(needs, nil)
	return m, nil
}

// match reports whether one of the patterns matches ua; false for a nil
// matcher. Non-ASCII text skips the prefilter (Unicode case folding could
// defeat it) and tries every pattern; there Go and JavaScript may differ in
// corner cases (Go's (?i) folds "ſ" to "s", JavaScript's without the u
// flag does not; [^ ] counts runes in Go, UTF-16 units in JavaScript).
func (m *isbotMatcher) match(ua string) bool {
	if m == nil {
		return false
	}
	var setBuf [8]uint64
	var seenBuf [maxLiteralWords]uint64
	set, seen := m.index.fit(setBuf[:], seenBuf[:])
	set = set[:m.index.words()]
	if isASCII(ua) && len(ua) <= maxUALen {
		var buf [maxUALen]byte
		m.index.mark(asciiLowerInto(buf[:0], ua), set, seen)
	} else {
		for i := range set {
			set[i] = ^uint64(0)
		}
	}
	for w, bits := range set {
		for ; bits != 0; bits &= bits - 1 {
			if i := w*64 + bits64.TrailingZeros64(bits); i < len(m.pats) && m.pats[i].MatchString(ua) {
				return true
			}
		}
	}
	return false
}
