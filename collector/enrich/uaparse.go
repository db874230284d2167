package enrich

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"

	"github.com/ua-parser/uap-go/uaparser"
)

// uaMatcher runs uap-core's regexes (compiled by uap-go) in uap-go's order
// and with uap-go's first-match rules, but without uap-go's cache, lock and
// goroutines. Before any regex runs, one pass of an Aho-Corasick automaton
// over the lower-cased User-Agent finds which required literals occur; a
// regex whose literals are all absent cannot match and is skipped. The
// results are therefore identical to uaparser.Parser's.
type uaMatcher struct {
	ua  []func(string, *uaparser.UserAgent)
	os  []func(string, *uaparser.Os)
	dev []func(string, *uaparser.Device)

	lits    *literalIndex
	litRule [][]int32 // literal → rules (global index: ua, then os, then dev) that need it
	always  []uint64  // rules that have no required literal
}

// uaParsed is the raw result of one parse.
type uaParsed struct {
	UA     uaparser.UserAgent
	OS     uaparser.Os
	Device uaparser.Device
}

// sharedUAMatcher is compiled once per process: it is immutable, and
// compiling costs about 0.1 s and a few MB.
var sharedUAMatcher = sync.OnceValues(newUAMatcher)

// newUAMatcher compiles uap-core's regexes through uap-go and derives a
// literal prefilter for each.
func newUAMatcher() (*uaMatcher, error) {
	// Cache size 1: uap-go's own cache is never consulted, because the
	// Parse* methods that use it are never called.
	p, err := uaparser.New(uaparser.WithCacheSize(1))
	if err != nil {
		return nil, err
	}
	m := &uaMatcher{}
	var needs []literalSet
	for _, r := range p.UA {
		m.ua = append(m.ua, r.Match)
		needs = append(needs, requiredLiterals(r.Reg))
	}
	for _, r := range p.OS {
		m.os = append(m.os, r.Match)
		needs = append(needs, requiredLiterals(r.Reg))
	}
	for _, r := range p.Device {
		m.dev = append(m.dev, r.Match)
		needs = append(needs, requiredLiterals(r.Reg))
	}
	m.always = make([]uint64, (len(needs)+63)/64)
	ids := map[string]int32{}
	var lits []string
	for rule, need := range needs {
		if need == nil {
			m.always[rule/64] |= 1 << (rule % 64)
			continue
		}
		for _, lit := range need {
			id, ok := ids[lit]
			if !ok {
				id = int32(len(lits))
				ids[lit] = id
				lits = append(lits, lit)
				m.litRule = append(m.litRule, nil)
			}
			m.litRule[id] = append(m.litRule[id], int32(rule))
		}
	}
	m.lits = newLiteralIndex(lits)
	return m, nil
}

// candidates returns the set of rules that may match s.
func (m *uaMatcher) candidates(s string) []uint64 {
	set := make([]uint64, len(m.always))
	// The prefilter compares ASCII-lower-cased text. For input with other
	// bytes, Unicode case folding (ſ matches (?i)s) could defeat it, so such
	// rare strings run every regex.
	lower, ok := asciiLower(s)
	if !ok {
		for i := range set {
			set[i] = ^uint64(0)
		}
		return set
	}
	copy(set, m.always)
	seen := make([]uint64, (len(m.litRule)+63)/64)
	m.lits.scan(lower, func(id int32) {
		if seen[id/64]&(1<<(id%64)) != 0 {
			return
		}
		seen[id/64] |= 1 << (id % 64)
		for _, r := range m.litRule[id] {
			set[r/64] |= 1 << (r % 64)
		}
	})
	return set
}

// parse returns what uap-go's ParseUserAgent, ParseOs and ParseDevice would.
func (m *uaMatcher) parse(s string) uaParsed {
	var out uaParsed
	set := m.candidates(s)
	has := func(r int) bool { return set[r/64]&(1<<(r%64)) != 0 }
	base := 0
	for i, match := range m.ua {
		if !has(base + i) {
			continue
		}
		if match(s, &out.UA); out.UA.Family != "" {
			break
		}
	}
	if out.UA.Family == "" {
		out.UA.Family = "Other"
	}
	base += len(m.ua)
	for i, match := range m.os {
		if !has(base + i) {
			continue
		}
		if match(s, &out.OS); out.OS.Family != "" {
			break
		}
	}
	if out.OS.Family == "" {
		out.OS.Family = "Other"
	}
	base += len(m.os)
	for i, match := range m.dev {
		if !has(base + i) {
			continue
		}
		if match(s, &out.Device); out.Device.Family != "" {
			break
		}
	}
	if out.Device.Family == "" {
		out.Device.Family = "Other"
	}
	return out
}

// asciiLower lower-cases ASCII letters and reports whether s is all ASCII.
func asciiLower(s string) (string, bool) {
	b := make([]byte, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return "", false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return string(b), true
}

// literalSet is a necessary condition for a regex match: the lower-cased
// input contains at least one of the strings. A nil set is no condition.
type literalSet []string

// maxAlternatives bounds the size of a literal set.
const maxAlternatives = 1024

// requiredLiterals derives, from the regex's syntax tree, a set of ASCII
// literals one of which every match must contain (lower-cased, so that it
// holds for case-insensitive parts too). It returns nil when it finds no
// such set.
func requiredLiterals(re *regexp.Regexp) literalSet {
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	return minimal(dedup(required(tree)))
}

// minimal drops every literal that contains another literal of l: the
// shorter one occurs whenever the longer does.
func minimal(l literalSet) literalSet {
	if l == nil {
		return nil
	}
	out := l[:0:0]
	for i, s := range l {
		redundant := false
		for j, t := range l {
			if i != j && len(t) < len(s) && strings.Contains(s, t) {
				redundant = true
				break
			}
		}
		if !redundant {
			out = append(out, s)
		}
	}
	return out
}

// required returns a literal set one of which every match of re contains.
func required(re *syntax.Regexp) literalSet {
	if set, ok := exactSet(re); ok {
		return nonEmpty(set)
	}
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpConcat:
		return requiredConcat(re.Sub)
	case syntax.OpAlternate:
		var out literalSet
		for _, sub := range re.Sub {
			r := required(sub)
			if r == nil || len(out)+len(r) > maxAlternatives {
				return nil
			}
			out = append(out, r...)
		}
		return out
	}
	return nil
}

// requiredConcat joins runs of parts that match a finite set of texts into
// their cross product and picks the strongest condition among the parts.
func requiredConcat(subs []*syntax.Regexp) literalSet {
	var best literalSet
	consider := func(l literalSet) {
		if l != nil && (best == nil || strength(l) > strength(best)) {
			best = l
		}
	}
	run := literalSet{""}
	for _, sub := range subs {
		if set, ok := exactSet(sub); ok {
			if p, ok := product(run, set); ok {
				run = p
				continue
			}
			consider(nonEmpty(run))
			run = set
			continue
		}
		consider(nonEmpty(run))
		run = literalSet{""}
		consider(required(sub))
	}
	consider(nonEmpty(run))
	return best
}

// strength is the length of the shortest literal: the longer, the rarer
// a chance hit.
func strength(l literalSet) int {
	n := -1
	for _, s := range l {
		if n < 0 || len(s) < n {
			n = len(s)
		}
	}
	return n
}

// nonEmpty returns l, or nil when l contains "" (which every text contains).
func nonEmpty(l literalSet) literalSet {
	for _, s := range l {
		if s == "" {
			return nil
		}
	}
	return l
}

func dedup(l literalSet) literalSet {
	if l == nil {
		return nil
	}
	seen := make(map[string]bool, len(l))
	out := l[:0:0]
	for _, s := range l {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func product(a, b literalSet) (literalSet, bool) {
	if len(a)*len(b) > maxAlternatives {
		return nil, false
	}
	out := make(literalSet, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return out, true
}

// maxClass is the largest character class expanded into single letters.
const maxClass = 4

// exactSet returns the finite set of lower-cased ASCII texts that re
// matches, when there is one of at most maxAlternatives texts.
func exactSet(re *syntax.Regexp) (literalSet, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return literalSet{""}, true
	case syntax.OpLiteral:
		b := make([]byte, 0, len(re.Rune))
		for _, r := range re.Rune {
			if r >= 0x80 {
				return nil, false
			}
			b = append(b, lowerByte(byte(r)))
		}
		return literalSet{string(b)}, true
	case syntax.OpCharClass:
		var out literalSet
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if hi >= 0x80 || hi-lo >= maxClass || len(out)+int(hi-lo)+1 > maxClass {
				return nil, false
			}
			for r := lo; r <= hi; r++ {
				out = append(out, string(lowerByte(byte(r))))
			}
		}
		return dedup(out), len(out) > 0
	case syntax.OpCapture:
		return exactSet(re.Sub[0])
	case syntax.OpQuest:
		set, ok := exactSet(re.Sub[0])
		if !ok || len(set)+1 > maxAlternatives {
			return nil, false
		}
		return append(set, ""), true
	case syntax.OpConcat:
		out := literalSet{""}
		for _, sub := range re.Sub {
			set, ok := exactSet(sub)
			if !ok {
				return nil, false
			}
			if out, ok = product(out, set); !ok {
				return nil, false
			}
		}
		return out, true
	case syntax.OpAlternate:
		var out literalSet
		for _, sub := range re.Sub {
			set, ok := exactSet(sub)
			if !ok || len(out)+len(set) > maxAlternatives {
				return nil, false
			}
			out = append(out, set...)
		}
		return out, true
	}
	return nil, false
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
