package segment

import (
	"fmt"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/ashiato/ashiato/queries"
)

// SQL is a rule composed into the statement queries/audiences/segment.sql,
// with the values of its conditions as named parameters (besides @site and
// @audience, which the caller binds).
type SQL struct {
	Text string
	Args []any // clickhouse.Named values, c1, c2, …
}

// Compile composes n into SQL for d. Values never enter the text: each
// string is a bound parameter, each number was checked by Parse.
func Compile(n Node, d queries.Dialect) (SQL, error) {
	c := &compiler{d: d}
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
	args []any
}

func (c *compiler) node(n Node) (string, error) {
	switch n := n.(type) {
	case And:
		return c.join(n, " AND ")
	case Or:
		return c.join(n, " OR ")
	case Cond:
		return c.cond(n)
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
	p := fmt.Sprintf("c%d", len(c.args)+1)
	v := k.Value
	if k.Func == "visited" {
		v = likePattern(v)
	}
	c.args = append(c.args, clickhouse.Named(p, v))
	p2 := ""
	if k.Func == "trait" {
		p2 = fmt.Sprintf("c%d", len(c.args)+1)
		c.args = append(c.args, clickhouse.Named(p2, k.Arg))
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
