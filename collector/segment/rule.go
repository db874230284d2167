// Package segment parses audience segment rules and composes them into the
// SQL that lists a segment's subjects. A rule is conditions over behaviour
// combined with AND, OR and parentheses:
//
//		visited('/pricing*', 3, 30) AND (event('signup', 7) OR source('google', 30))
//
//	  - visited(PATH, N, D): at least N pageviews of PATH in the last D days
//	    (a trailing * matches any path that starts with what precedes it);
//	  - event(NAME, D): at least one event NAME in the last D days;
//	  - source(SOURCE, D): arrived in the last D days from SOURCE: a
//	    referrer name ("google"), a referrer kind ("search") or a utm_source.
//	  - trait(NAME, VALUE): the visitor's user ID (from its events) has the
//	    imported trait NAME equal to VALUE (`ashiato traits import`);
//	  - member(AUDIENCE): the visitor is in a stored audience (what
//	    `ashiato audience lookalike` builds);
//	  - interest(CATEGORY) >= X: the visitor's interest score in a category
//	    of the site's config is at least X (> for above), counted only for
//	    visitors whose consent grants interest_profile;
//	  - lookalike(MODEL) >= X: the visitor's score in the latest build of
//	    the look-alike model MODEL (0 to 1) is at least X (> for above).
//
// Only identified traffic (a first-party visitor ID, which needs analytics
// consent) can match: anonymous traffic never belongs to a segment.
package segment

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// MaxDays bounds the look-back of a condition; MaxConditions the size of a
// rule (each condition is a subquery).
const (
	MaxDays       = 3660
	MaxConditions = 20
)

// Node is a parsed rule: a Cond, or an And/Or of nodes.
type Node interface{ isNode() }

// Cond is one condition: Func is "visited", "event", "source", "trait" or
// "member".
type Cond struct {
	Func  string
	Value string // path, event name, source or trait name
	Arg   string // trait only: the value
	Times int    // visited only
	Days  int
}

// And holds when every part holds; Or when any does.
type (
	And []Node
	Or  []Node
)

// Score is a condition on a score: Func is "interest" (Name a category)
// or "lookalike" (Name a model); it holds when the score is Op (">=" or
// ">") Min.
type Score struct {
	Func, Name, Op string
	Min            float64
}

// MaxScore bounds the number a score is compared with.
const MaxScore = 1e6

func (Cond) isNode()  {}
func (Score) isNode() {}
func (And) isNode()   {}
func (Or) isNode()    {}

// arity is each function's arguments: s for a string, i for an integer.
var arity = map[string]string{"visited": "sii", "event": "si", "source": "si", "trait": "ss", "member": "s", "interest": "s", "lookalike": "s"}

// Parse parses a rule; the error names the position and what was wrong.
func Parse(rule string) (Node, error) {
	p := &parser{src: rule}
	p.next()
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, p.errorf("unexpected %q", p.tok.text)
	}
	if c := count(n); c > MaxConditions {
		return nil, fmt.Errorf("rule has %d conditions, at most %d", c, MaxConditions)
	}
	return n, nil
}

func count(n Node) int {
	switch n := n.(type) {
	case And:
		return countAll(n)
	case Or:
		return countAll(n)
	}
	return 1
}

func countAll(ns []Node) int {
	c := 0
	for _, n := range ns {
		c += count(n)
	}
	return c
}

type kind int

const (
	tEOF kind = iota
	tIdent
	tString
	tInt
	tNumber // with a decimal point
	tPunct
)

type token struct {
	kind kind
	text string
	pos  int
}

type parser struct {
	src string
	i   int
	tok token
	err error
}

func (p *parser) errorf(format string, a ...any) error {
	return fmt.Errorf("rule at %d: %s", p.tok.pos+1, fmt.Sprintf(format, a...))
}

// next reads the next token into p.tok (a lexing error is kept in p.err).
func (p *parser) next() {
	for p.i < len(p.src) && unicode.IsSpace(rune(p.src[p.i])) {
		p.i++
	}
	start := p.i
	if p.i >= len(p.src) {
		p.tok = token{tEOF, "", start}
		return
	}
	c := p.src[p.i]
	switch {
	case c == '(' || c == ')' || c == ',':
		p.i++
		p.tok = token{tPunct, string(c), start}
	case c == '>' || c == '<' || c == '=':
		p.i++
		if p.i < len(p.src) && p.src[p.i] == '=' {
			p.i++
		}
		p.tok = token{tPunct, p.src[start:p.i], start}
	case c == '\'' || c == '"':
		var b strings.Builder
		p.i++
		for p.i < len(p.src) && p.src[p.i] != c {
			if p.src[p.i] == '\\' && p.i+1 < len(p.src) {
				p.i++
			}
			b.WriteByte(p.src[p.i])
			p.i++
		}
		if p.i >= len(p.src) {
			p.err = fmt.Errorf("rule at %d: unterminated string", start+1)
			p.tok = token{tEOF, "", start}
			return
		}
		p.i++
		p.tok = token{tString, b.String(), start}
	case c >= '0' && c <= '9':
		digits := func() {
			for p.i < len(p.src) && p.src[p.i] >= '0' && p.src[p.i] <= '9' {
				p.i++
			}
		}
		digits()
		k := tInt
		if p.i+1 < len(p.src) && p.src[p.i] == '.' && p.src[p.i+1] >= '0' && p.src[p.i+1] <= '9' {
			p.i++
			digits()
			k = tNumber
		}
		p.tok = token{k, p.src[start:p.i], start}
	case c == '_' || unicode.IsLetter(rune(c)):
		for p.i < len(p.src) && (p.src[p.i] == '_' || unicode.IsLetter(rune(p.src[p.i])) || unicode.IsDigit(rune(p.src[p.i]))) {
			p.i++
		}
		p.tok = token{tIdent, p.src[start:p.i], start}
	default:
		p.i++
		p.tok = token{tPunct, string(c), start}
	}
}

func (p *parser) keyword(k string) bool {
	return p.tok.kind == tIdent && strings.EqualFold(p.tok.text, k)
}

func (p *parser) or() (Node, error) {
	return p.list("OR", p.and, func(ns []Node) Node { return Or(ns) })
}

func (p *parser) and() (Node, error) {
	return p.list("AND", p.factor, func(ns []Node) Node { return And(ns) })
}

func (p *parser) list(op string, sub func() (Node, error), mk func([]Node) Node) (Node, error) {
	n, err := sub()
	if err != nil {
		return nil, err
	}
	ns := []Node{n}
	for p.keyword(op) {
		p.next()
		n, err := sub()
		if err != nil {
			return nil, err
		}
		ns = append(ns, n)
	}
	if len(ns) == 1 {
		return ns[0], nil
	}
	return mk(ns), nil
}

func (p *parser) factor() (Node, error) {
	if p.err != nil {
		return nil, p.err
	}
	if p.tok.kind == tPunct && p.tok.text == "(" {
		p.next()
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		return n, nil
	}
	if p.tok.kind != tIdent {
		if p.tok.kind == tEOF {
			return nil, p.errorf("want a condition, got the end of the rule")
		}
		return nil, p.errorf("want a condition, got %q", p.tok.text)
	}
	return p.call()
}

func (p *parser) expect(punct string) error {
	if p.err != nil {
		return p.err
	}
	if p.tok.kind != tPunct || p.tok.text != punct {
		return p.errorf("want %q, got %q", punct, p.tok.text)
	}
	p.next()
	return nil
}

func (p *parser) call() (Node, error) {
	name := strings.ToLower(p.tok.text)
	args, ok := arity[name]
	if !ok {
		return nil, p.errorf("unknown condition %q (want visited, event, source, trait, member, interest or lookalike)", p.tok.text)
	}
	p.next()
	if err := p.expect("("); err != nil {
		return nil, err
	}
	c := Cond{Func: name}
	var ints []int
	var strs []string
	for i, a := range args {
		if i > 0 {
			if err := p.expect(","); err != nil {
				return nil, err
			}
		}
		if p.err != nil {
			return nil, p.err
		}
		switch {
		case a == 's' && p.tok.kind == tString:
			if p.tok.text == "" {
				return nil, p.errorf("%s: empty string", name)
			}
			strs = append(strs, p.tok.text)
		case a == 'i' && p.tok.kind == tInt:
			v, err := strconv.Atoi(p.tok.text)
			if err != nil || v < 1 || v > MaxDays {
				return nil, p.errorf("%s: %s out of range 1..%d", name, p.tok.text, MaxDays)
			}
			ints = append(ints, v)
		case a == 's':
			return nil, p.errorf("%s: argument %d: want a quoted string", name, i+1)
		default:
			return nil, p.errorf("%s: argument %d: want a whole number", name, i+1)
		}
		p.next()
	}
	if err := p.expect(")"); err != nil {
		return nil, fmt.Errorf("%w (%s takes %d arguments)", err, name, len(args))
	}
	c.Value = strs[0]
	if name == "interest" || name == "lookalike" {
		return p.score(name, c.Value)
	}
	switch name {
	case "visited":
		c.Times, c.Days = ints[0], ints[1]
	case "trait":
		c.Arg = strs[1]
	case "member":
	default:
		c.Days = ints[0]
	}
	return c, nil
}

// score parses what follows interest(NAME) or lookalike(NAME): ">=" or
// ">" and a number from 0 to MaxScore.
func (p *parser) score(name, value string) (Node, error) {
	if p.err != nil {
		return nil, p.err
	}
	if p.tok.kind != tPunct || (p.tok.text != ">=" && p.tok.text != ">") {
		return nil, p.errorf("%s: want >= or > and a number after %s('%s')", name, name, value)
	}
	op := p.tok.text
	p.next()
	if p.err != nil {
		return nil, p.err
	}
	if p.tok.kind != tInt && p.tok.kind != tNumber {
		return nil, p.errorf("%s: want a number after %s", name, op)
	}
	v, err := strconv.ParseFloat(p.tok.text, 64)
	if err != nil || v > MaxScore {
		return nil, p.errorf("%s: %s out of range 0..%g", name, p.tok.text, float64(MaxScore))
	}
	p.next()
	return Score{Func: name, Name: value, Op: op, Min: v}, nil
}

// Traits returns the trait names a rule uses.
func Traits(n Node) []string { return Uses(n, "trait") }

// Uses returns the names a rule's conditions of function fn use: trait
// names ("trait"), interest categories ("interest"), look-alike models
// ("lookalike").
func Uses(n Node, fn string) []string {
	var out []string
	switch n := n.(type) {
	case And:
		for _, m := range n {
			out = append(out, Uses(m, fn)...)
		}
	case Or:
		for _, m := range n {
			out = append(out, Uses(m, fn)...)
		}
	case Cond:
		if n.Func == fn {
			out = append(out, n.Value)
		}
	case Score:
		if n.Func == fn {
			out = append(out, n.Name)
		}
	}
	return out
}

// CheckName requires a segment name of 1 to 64 lower-case letters, digits,
// '-' and '_', starting with a letter: it appears in paths, audit rows and
// file names.
func CheckName(name string) error {
	if len(name) == 0 || len(name) > 64 || name[0] < 'a' || name[0] > 'z' {
		return fmt.Errorf("name %q: want 1 to 64 of a-z 0-9 - _, starting with a letter", name)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return fmt.Errorf("name %q: want 1 to 64 of a-z 0-9 - _, starting with a letter", name)
		}
	}
	return nil
}
