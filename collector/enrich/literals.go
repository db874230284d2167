package enrich

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
)

// requiredClauses derives, from the regex's syntax tree, sets of ASCII
// literals (lower-cased, so that they hold for case-insensitive parts
// too) such that every match contains one literal of each set: the
// strongest first, then the others of the regex's top-level sequence. It
// returns nil when it finds no set at all.
func requiredClauses(re *regexp.Regexp) []literalSet {
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	var out []literalSet
	seen := map[string]bool{}
	for _, c := range clauses(tree) {
		c = dedup(c)
		key := strings.Join(c, "\x00")
		if !seen[key] {
			seen[key] = true
			out = append(out, c)
		}
	}
	// minimal keeps the shortest literal, and so the strength.
	slices.SortStableFunc(out, func(a, b literalSet) int { return strength(b) - strength(a) })
	out = out[:min(len(out), maxClauses)]
	for i, c := range out {
		out[i] = minimal(c)
	}
	return out
}

// maxClauses bounds the clauses kept for one regex, the strongest.
const maxClauses = 4

// clauses returns literal sets each of which every match of re satisfies.
func clauses(re *syntax.Regexp) []literalSet {
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return clauses(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return clauses(re.Sub[0])
		}
	case syntax.OpConcat:
		var out []literalSet
		run := literalSet{""}
		flush := func() {
			if l := nonEmpty(run); l != nil {
				out = append(out, l)
			}
		}
		for _, sub := range re.Sub {
			if set, ok := exactSet(sub); ok {
				if p, ok := product(run, set); ok {
					run = p
					continue
				}
				flush()
				run = set
				continue
			}
			flush()
			if p := nonEmpty(runThen(run, sub)); p != nil {
				out = append(out, p)
			}
			run = literalSet{""}
			out = append(out, clauses(sub)...)
		}
		flush()
		return out
	case syntax.OpAlternate:
		if out := alternateClauses(re.Sub); out != nil {
			return out
		}
	}
	if l := required(re); l != nil {
		return []literalSet{l}
	}
	return nil
}

// maxCombinations bounds the clauses derived from one alternation.
const maxCombinations = 8

// alternateClauses returns clauses for an alternation of subs: whichever
// sub matches satisfies all of its own clauses, so picking one clause of
// each sub and joining them gives a clause of the alternation. It returns
// every such pick when there are few, else nil.
func alternateClauses(subs []*syntax.Regexp) []literalSet {
	// Each sub contributes its strongest clauses: two each while that
	// makes few picks, else one.
	limit := 1
	if 1<<len(subs) <= maxCombinations {
		limit = 2
	}
	per := make([][]literalSet, len(subs))
	n := 1
	for i, sub := range subs {
		cl := clauses(sub)
		if len(cl) == 0 {
			return nil
		}
		slices.SortStableFunc(cl, func(a, b literalSet) int { return strength(b) - strength(a) })
		per[i] = cl[:min(limit, len(cl))]
		n *= len(per[i])
	}
	out := make([]literalSet, 0, n)
	for k := range n {
		var c literalSet
		for _, cl := range per {
			c = append(c, cl[k%len(cl)]...)
			k /= len(cl)
		}
		if len(c) > maxAlternatives {
			return nil
		}
		out = append(out, c)
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
		consider(nonEmpty(runThen(run, sub)))
		run = literalSet{""}
		consider(required(sub))
	}
	consider(nonEmpty(run))
	return best
}

// runThen returns the texts of run followed by the prefixes of sub, or
// nil.
func runThen(run literalSet, sub *syntax.Regexp) literalSet {
	pre, ok := prefixes(sub)
	if !ok {
		return nil
	}
	p, _ := product(run, pre)
	return p
}

// prefixes returns a set of lower-cased texts one of which every match of
// re begins with, when it finds one.
func prefixes(re *syntax.Regexp) (literalSet, bool) {
	if set, ok := exactSet(re); ok {
		return set, true
	}
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return prefixes(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return prefixes(re.Sub[0])
		}
	case syntax.OpConcat:
		run := literalSet{""}
		for _, sub := range re.Sub {
			if set, ok := exactSet(sub); ok {
				p, ok := product(run, set)
				if !ok {
					return run, true
				}
				run = p
				continue
			}
			if p := runThen(run, sub); p != nil {
				return p, true
			}
			return run, true
		}
		return run, true
	case syntax.OpAlternate:
		var out literalSet
		for _, sub := range re.Sub {
			set, ok := prefixes(sub)
			if !ok || len(out)+len(set) > maxAlternatives {
				return nil, false
			}
			out = append(out, set...)
		}
		return out, true
	}
	return nil, false
}
