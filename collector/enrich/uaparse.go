package enrich

import (
	"regexp"
	"sync"

	"github.com/ua-parser/uap-go/uaparser"
)

// uaMatcher runs uap-core's regexes (compiled by uap-go) in uap-go's order
// and with uap-go's first-match rules, but without uap-go's cache, lock and
// goroutines. Before any regex runs, one pass of an Aho-Corasick automaton
// over the lower-cased User-Agent finds which required literals occur; a
// regex some of whose literal clauses are all absent cannot match and is
// skipped, and a regex with a large alternation runs without the
// alternatives that cannot match (altReducer). The results are therefore
// identical to uaparser.Parser's.
type uaMatcher struct {
	ua  ruleList[uaparser.UserAgent]
	os  ruleList[uaparser.Os]
	dev ruleList[uaparser.Device]

	index *patternIndex // rules by global index: ua, then os, then dev
}

// ruleList is one of uap-go's three rule lists.
type ruleList[T any] struct {
	match []func(string, *T)
	red   []*altReducer[T] // nil for most rules
}

// add appends a rule: its regex, its match function, and how to make a
// match function for a regex that replaces it.
func (l *ruleList[T]) add(re *regexp.Regexp, match func(string, *T), with func(*regexp.Regexp) func(string, *T)) *altReducer[T] {
	red := newAltReducer(re, with)
	l.match = append(l.match, match)
	l.red = append(l.red, red)
	return red
}

// first runs the rules of l that set marks (from bit base on), in order,
// until done says one has matched. With reduce, rules with an altReducer
// run reduced for the literals seen.
func (l *ruleList[T]) first(s string, out *T, set, seen []uint64, base int, reduce bool, done func(*T) bool) {
	for i, match := range l.match {
		r := base + i
		if set[r/64]&(1<<(r%64)) == 0 {
			continue
		}
		if red := l.red[i]; red != nil && reduce {
			match = red.matcher(seen, match)
		}
		if match(s, out); done(out) {
			return
		}
	}
}

// uaParsed is the raw result of one parse.
type uaParsed struct {
	UA     uaparser.UserAgent
	OS     uaparser.Os
	Device uaparser.Device
}

// sharedUAMatcher is compiled once per process: it is immutable apart from
// the reducers' caches, and compiling costs about 0.4 s and some 10 MB.
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
	var needs [][]literalSet
	var watch []literalSet
	var assign []func([][]int32)
	reducer := func(lits []literalSet, ids *[][]int32) {
		from, to := len(watch), len(watch)+len(lits)
		watch = append(watch, lits...)
		assign = append(assign, func(all [][]int32) { *ids = all[from:to] })
	}
	for _, r := range p.UA {
		with := func(re *regexp.Regexp) func(string, *uaparser.UserAgent) { c := r.Clone(); c.Reg = re; return c.Match }
		if red := m.ua.add(r.Reg, r.Match, with); red != nil {
			reducer(red.lits, &red.ids)
		}
		needs = append(needs, requiredClauses(r.Reg))
	}
	for _, r := range p.OS {
		with := func(re *regexp.Regexp) func(string, *uaparser.Os) { c := r.Clone(); c.Reg = re; return c.Match }
		if red := m.os.add(r.Reg, r.Match, with); red != nil {
			reducer(red.lits, &red.ids)
		}
		needs = append(needs, requiredClauses(r.Reg))
	}
	for _, r := range p.Device {
		with := func(re *regexp.Regexp) func(string, *uaparser.Device) { c := r.Clone(); c.Reg = re; return c.Match }
		if red := m.dev.add(r.Reg, r.Match, with); red != nil {
			reducer(red.lits, &red.ids)
		}
		needs = append(needs, requiredClauses(r.Reg))
	}
	var ids [][]int32
	m.index, ids = newPatternIndex(needs, watch)
	for _, f := range assign {
		f(ids)
	}
	return m, nil
}

// Sizes of the rule and literal sets kept on the stack.
const (
	maxRuleWords    = 64
	maxLiteralWords = 256
)

// candidates sets in set the rules that may match s and in seen the
// literals found, and reports whether it could use the prefilter.
func (m *uaMatcher) candidates(s string, set, seen []uint64) bool {
	// The prefilter compares ASCII-lower-cased text. For input with other
	// bytes, Unicode case folding (ſ matches (?i)s) could defeat it, so such
	// rare strings run every regex in full.
	if !isASCII(s) {
		for i := range set {
			set[i] = ^uint64(0)
		}
		return false
	}
	var buf [maxUALen]byte
	m.index.mark(asciiLowerInto(buf[:0], s), set, seen)
	return true
}

// parse returns what uap-go's ParseUserAgent, ParseOs and ParseDevice would.
func (m *uaMatcher) parse(s string) uaParsed { return m.parseIf(s, nil) }

// parseIf is parse, except that when wantDevice is not nil and returns
// false (it is called once, after the User-Agent and OS rules) the device
// rules are skipped and Device is left zero.
func (m *uaMatcher) parseIf(s string, wantDevice func() bool) uaParsed {
	var out uaParsed
	var setBuf [maxRuleWords]uint64
	var seenBuf [maxLiteralWords]uint64
	set, seen := m.index.fit(setBuf[:], seenBuf[:])
	reduce := m.candidates(s, set, seen)
	base := 0
	m.ua.first(s, &out.UA, set, seen, base, reduce, func(ua *uaparser.UserAgent) bool { return ua.Family != "" })
	if out.UA.Family == "" {
		out.UA.Family = "Other"
	}
	base += len(m.ua.match)
	m.os.first(s, &out.OS, set, seen, base, reduce, func(os *uaparser.Os) bool { return os.Family != "" })
	if out.OS.Family == "" {
		out.OS.Family = "Other"
	}
	if wantDevice != nil && !wantDevice() {
		return out
	}
	base += len(m.os.match)
	m.dev.first(s, &out.Device, set, seen, base, reduce, func(d *uaparser.Device) bool { return d.Family != "" })
	if out.Device.Family == "" {
		out.Device.Family = "Other"
	}
	return out
}
