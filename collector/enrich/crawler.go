package enrich

import (
	"errors"
	"fmt"
	bits64 "math/bits"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"github.com/x-way/crawlerdetect"
)

// crawlerMatcher gives crawlerdetect.IsCrawler's answer for every input,
// many times faster. crawlerdetect removes every match of one alternation
// of exclusion patterns from the trimmed User-Agent and then matches one
// alternation of about 1,400 crawler patterns against the rest. A boolean
// match of an alternation is the OR of its alternatives, so crawlerMatcher
// compiles each crawler pattern alone, finds the literals each one
// requires with one Aho-Corasick pass, and runs only the patterns whose
// literals occur. The exclusions, whose leftmost-first order matters, go
// to an exclusionRemover, which gives the same text as the replacement.
// The patterns are crawlerdetect's own, read from its default instance, so
// that the module stays the one source of the data. Strings with non-ASCII
// bytes go to crawlerdetect itself: Unicode case folding (ſ matches
// (?i)s) could defeat the ASCII prefilter.
type crawlerMatcher struct {
	ref *crawlerdetect.CrawlerDetect

	excl    *exclusionRemover // nil when the exclusions do not qualify
	exclAll *regexp.Regexp    // crawlerdetect's exclusion alternation

	pats  []*regexp.Regexp // crawler patterns, each alone
	index *patternIndex    // literals of the crawler patterns
}

// sharedCrawlerMatcher is built once per process: it is immutable, and
// building costs some tens of milliseconds.
var sharedCrawlerMatcher = sync.OnceValue(func() *crawlerMatcher {
	m, err := newCrawlerMatcher(crawlerdetect.New())
	if err != nil {
		// The data come with the module and are checked by the tests;
		// should a new version defeat the reader, use the original.
		return &crawlerMatcher{ref: crawlerdetect.New()}
	}
	return m
})

// newCrawlerMatcher reads ref's patterns and compiles them.
func newCrawlerMatcher(ref *crawlerdetect.CrawlerDetect) (*crawlerMatcher, error) {
	crawlers, err := stringsField(ref, "crawlers")
	if err != nil {
		return nil, err
	}
	excl, err := stringsField(ref, "exclusions")
	if err != nil {
		return nil, err
	}
	m := &crawlerMatcher{ref: ref}
	m.exclAll, err = regexp.Compile("(?i)(" + strings.Join(excl, "|") + ")")
	if err != nil {
		return nil, err
	}
	// Without qualifying exclusions the whole alternation runs: slower,
	// the same result.
	m.excl, _ = newExclusionRemover(excl)
	var needs [][]literalSet
	for _, p := range crawlers {
		re, err := compileAlone(p)
		if err != nil {
			return nil, err
		}
		m.pats = append(m.pats, re)
		needs = append(needs, requiredClauses(re))
	}
	m.index, _ = newPatternIndex(needs, nil)
	return m, nil
}

// stringsField reads the []string field name of ref. crawlerdetect keeps
// its pattern lists unexported; reading them through reflect keeps the
// module the one source of the data.
func stringsField(ref *crawlerdetect.CrawlerDetect, name string) ([]string, error) {
	f := reflect.ValueOf(ref).Elem().FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.Slice || f.Type().Elem().Kind() != reflect.String {
		return nil, fmt.Errorf("crawlerdetect: no []string field %q", name)
	}
	out := make([]string, f.Len())
	for i := range out {
		out[i] = f.Index(i).String()
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("crawlerdetect: empty field %q", name)
	}
	return out, nil
}

// compileAlone compiles one alternative of crawlerdetect's
// "(?i)(p1|p2|…)" as "(?i)(?:p)". That is the same language only when p
// sets no flags of its own (a flag group would reach into the alternatives
// after it) and is a well-formed regex by itself.
func compileAlone(p string) (*regexp.Regexp, error) {
	if setsFlags(p) {
		return nil, errors.New("crawlerdetect: pattern with flags: " + p)
	}
	return regexp.Compile("(?i)(?:" + p + ")")
}

// setsFlags reports whether the regex p may contain a flag group such as
// "(?i)" or "(?-i:". It errs on the side of yes.
func setsFlags(p string) bool {
	for i := 0; i+2 < len(p); i++ {
		switch {
		case p[i] == '\\':
			i++
		case p[i] == '(' && p[i+1] == '?' && p[i+2] != ':':
			return true
		}
	}
	return false
}

// isCrawler returns crawlerdetect.IsCrawler(ua).
func (m *crawlerMatcher) isCrawler(ua string) bool {
	if m.index == nil || !isASCII(ua) {
		return m.ref.IsCrawler(ua)
	}
	s := strings.TrimSpace(ua)
	var buf [maxUALen]byte
	lower := asciiLowerInto(buf[:0], s)
	if m.excl != nil {
		if r := m.excl.remove(s, lower); len(r) != len(s) {
			s = r
			lower = asciiLowerInto(lower[:0], s)
		}
	} else {
		s = m.exclAll.ReplaceAllString(s, "")
		lower = asciiLowerInto(lower[:0], s)
	}
	var setBuf [32]uint64
	var seenBuf [maxLiteralWords]uint64
	set, seen := m.index.fit(setBuf[:], seenBuf[:])
	m.index.mark(lower, set, seen)
	for w, bits := range set {
		for ; bits != 0; bits &= bits - 1 {
			if m.pats[w*64+bits64.TrailingZeros64(bits)].MatchString(s) {
				return true
			}
		}
	}
	return false
}
