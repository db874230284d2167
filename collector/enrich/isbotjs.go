package enrich

import (
	"fmt"
	"regexp/syntax"
	"slices"
	"strings"
)

// jsToRE2 rewrites one isbot pattern, a JavaScript regex, into Go's RE2
// syntax with the same matches. Go's regexp has no lookarounds; isbot uses
// them only in two shapes, which have exact regular equivalents:
//
//   - a leading negative lookbehind of literals, "(?<!cam)scan": the text
//     before the match does not end with one of them;
//   - a trailing negative lookahead of literals, "java(?!;)": the text
//     after it does not begin with one of them.
//
// For a yes/no match these become a prefix or suffix that matches exactly
// the texts allowed (see notBefore and notAfter). A "-" next to a class
// escape inside brackets ("[\w\d-.]") is a literal in JavaScript and an
// error in RE2, so it is escaped. Any other lookaround is an error: a new
// isbot version that uses one needs a rewrite rule here, and
// `make bot-patterns` followed by the tests says so.
func jsToRE2(p string) (string, error) {
	var prefix, suffix string
	if strings.HasPrefix(p, "(?<!") {
		end := groupEnd(p, 0)
		if end < 0 {
			return "", fmt.Errorf("unclosed lookbehind")
		}
		lits, err := literalAlternatives(p[len("(?<!"):end])
		if err != nil {
			return "", fmt.Errorf("lookbehind: %w", err)
		}
		prefix, p = notBefore(lits), p[end+1:]
	}
	if i := strings.LastIndex(p, "(?!"); i >= 0 && groupEnd(p, i) == len(p)-1 {
		lits, err := literalAlternatives(p[i+len("(?!") : len(p)-1])
		if err != nil {
			return "", fmt.Errorf("lookahead: %w", err)
		}
		suffix, p = notAfter(lits), p[:i]
	}
	if strings.Contains(p, "(?<") || strings.Contains(p, "(?!") || strings.Contains(p, "(?=") {
		return "", fmt.Errorf("lookaround in a place jsToRE2 does not rewrite")
	}
	return prefix + "(?:" + escapeClassDashes(p) + ")" + suffix, nil
}

// groupEnd returns the index of the ")" that closes the group opened at
// p[open], or -1.
func groupEnd(p string, open int) int {
	depth, inClass := 0, false
	for i := open; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\':
			i++
		case inClass:
			inClass = c != ']'
		case c == '[':
			inClass = true
		case c == '(':
			depth++
		case c == ')':
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return -1
}

// literalAlternatives returns the lower-cased texts of an alternation of
// literals such as "(?:wv|app| pixel)".
func literalAlternatives(expr string) ([]string, error) {
	for strings.HasPrefix(expr, "(?:") && groupEnd(expr, 0) == len(expr)-1 {
		expr = expr[len("(?:") : len(expr)-1]
	}
	var out []string
	for _, s := range strings.Split(expr, "|") {
		re, err := syntax.Parse(s, syntax.Perl)
		if err != nil || re.Op != syntax.OpLiteral {
			return nil, fmt.Errorf("%q is not an alternation of literals", expr)
		}
		out = append(out, strings.ToLower(string(re.Rune)))
	}
	return out, nil
}

// trieNode is a node of a trie of lower-case texts.
type trieNode struct {
	next map[byte]*trieNode
	end  bool
}

func buildTrie(texts []string, reverse bool) *trieNode {
	root := &trieNode{}
	for _, t := range texts {
		n := root
		for i := range len(t) {
			c := t[i]
			if reverse {
				c = t[len(t)-1-i]
			}
			if n.next == nil {
				n.next = map[byte]*trieNode{}
			}
			if n.next[c] == nil {
				n.next[c] = &trieNode{}
			}
			n = n.next[c]
		}
		n.end = true
	}
	return root
}

// notAfter returns a regex that matches, at the end of a match, a text
// that does not begin with one of lits (case-insensitively, under (?i)):
// the end of the input, a byte that begins none of them, or such a byte
// followed by what does not continue a literal. With (?i), "[^a]" also
// excludes "A".
func notAfter(lits []string) string { return complement(buildTrie(lits, false), false) }

// notBefore is notAfter for the text before a match: it matches a text
// that does not end with one of lits.
func notBefore(lits []string) string { return complement(buildTrie(lits, true), true) }

func complement(n *trieNode, before bool) string {
	edge := "$"
	if before {
		edge = "^"
	}
	alts := []string{edge}
	keys := make([]byte, 0, len(n.next))
	for c := range n.next {
		keys = append(keys, c)
	}
	slices.Sort(keys)
	class := "[^"
	for _, c := range keys {
		class += fmt.Sprintf(`\x{%x}`, c)
	}
	alts = append(alts, class+"]")
	for _, c := range keys {
		child := n.next[c]
		if child.end {
			continue // the literal is complete: excluded
		}
		lit := fmt.Sprintf(`\x{%x}`, c)
		if before {
			alts = append(alts, complement(child, true)+lit)
		} else {
			alts = append(alts, lit+complement(child, false))
		}
	}
	return "(?:" + strings.Join(alts, "|") + ")"
}

// escapeClassDashes escapes a "-" inside brackets that follows or precedes
// a class escape (\w, \d, \s and their negations): a literal in
// JavaScript, an invalid range in RE2.
func escapeClassDashes(p string) string {
	isClassEscape := func(i int) bool {
		return i+1 < len(p) && p[i] == '\\' && strings.IndexByte("wWdDsS", p[i+1]) >= 0
	}
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			b.WriteString(p[i : i+2])
			i++
			continue
		case !inClass && c == '[':
			inClass = true
		case inClass && c == ']':
			inClass = false
		case inClass && c == '-' && (i >= 2 && isClassEscape(i-2) || isClassEscape(i+1)):
			b.WriteString(`\-`)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
