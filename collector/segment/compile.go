package segment

import (
	"fmt"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/interest"
	"github.com/ashiato/ashiato/queries"
)

// SQL is a rule composed into the statement queries/audiences/segment.sql,
// with the values of its conditions as named parameters (besides @site and
// @audience, which the caller binds).
type SQL struct {
	Text string
	Args []any // clickhouse.Named values, c1, c2, …
}

// Compile composes n into SQL for d and site (whose interest categories,
// purposes and policy revision an interest condition needs). Values never
// enter the text: each string and score is a bound parameter, each whole
// number was checked by Parse.
func Compile(n Node, d queries.Dialect, site *collector.Site) (SQL, error) {
	c := &compiler{d: d, site: site}
	where, err := c.node(n)
	if err != nil {
		return SQL{}, err
	}
	text, err := queries.RenderWith("audiences/segment", d, struct {
		queries.Dialect
		Where string
	}{d, where})
	if err != nil {
		return SQL{}, err
	}
	return SQL{Text: text, Args: c.args}, nil
}

type compiler struct {
	d    queries.Dialect
	site *collector.Site
	args []any
}

// bind adds a parameter of value v and returns its name.
func (c *compiler) bind(v any) string {
	p := fmt.Sprintf("c%d", len(c.args)+1)
	c.args = append(c.args, clickhouse.Named(p, v))
	return p
}

func (c *compiler) node(n Node) (string, error) {
	switch n := n.(type) {
	case And:
		return c.join(n, " AND ")
	case Or:
		return c.join(n, " OR ")
	case Cond:
		return c.cond(n)
	case Score:
		return c.score(n)
	}
	return "", fmt.Errorf("segment: unknown rule node %T", n)
}

func (c *compiler) join(ns []Node, op string) (string, error) {
	parts := make([]string, len(ns))
	for i, n := range ns {
		s, err := c.node(n)
		if err != nil {
			return "", err
		}
		parts[i] = s
	}
	return "(" + strings.Join(parts, op) + ")", nil
}

func (c *compiler) cond(k Cond) (string, error) {
	v := k.Value
	if k.Func == "visited" {
		v = likePattern(v)
	}
	p, p2 := c.bind(v), ""
	if k.Func == "trait" {
		p2 = c.bind(k.Arg)
	}
	sub, err := queries.RenderWith("audiences/cond_"+k.Func, c.d, struct {
		queries.Dialect
		P, P2       string
		Times, Days int
	}{c.d, p, p2, k.Times, k.Days})
	if err != nil {
		return "", err
	}
	return "visitor_id IN (" + sub + ")", nil
}

// score composes interest(…) and lookalike(…) conditions. An interest
// score counts only for visitors whose latest decision grants a purpose
// that unlocks interest_profile (on a site where none does, the condition
// matches nobody).
func (c *compiler) score(k Score) (string, error) {
	if k.Op != ">=" && k.Op != ">" {
		return "", fmt.Errorf("segment: operator %q", k.Op)
	}
	data := struct {
		queries.Dialect
		P, Min, Op, Scores, Purposes, Revision string
	}{Dialect: c.d, Op: k.Op}
	data.P, data.Min = c.bind(k.Name), c.bind(k.Min)
	if k.Func == "interest" {
		if c.site == nil {
			return "", fmt.Errorf("segment: an interest condition needs the site")
		}
		purposes := c.site.PurposesWith(collector.CapInterestProfile)
		if len(purposes) == 0 {
			return "0", nil
		}
		scores, args, err := interest.CategorySQL(c.site, c.d, k.Name, data.P+"i")
		if err != nil {
			return "", err
		}
		c.args = append(c.args, args...)
		data.Scores, data.Purposes, data.Revision = scores, c.bind(purposes), c.bind(c.site.PolicyRevision)
	}
	sub, err := queries.RenderWith("audiences/cond_"+k.Func, c.d, data)
	if err != nil {
		return "", err
	}
	return "visitor_id IN (" + sub + ")", nil
}

// likePattern turns a path into a LIKE pattern: LIKE's own wildcards are
// escaped, and a trailing * matches any rest of the path.
func likePattern(path string) string {
	prefix := strings.HasSuffix(path, "*")
	path = strings.TrimSuffix(path, "*")
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	path = r.Replace(path)
	if prefix {
		path += "%"
	}
	return path
}
