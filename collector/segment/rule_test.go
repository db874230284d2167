package segment

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ashiato/ashiato/queries"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		rule string
		want Node
	}{
		{"visited('/pricing', 3, 30)", Cond{Func: "visited", Value: "/pricing", Times: 3, Days: 30}},
		{`event("signup", 7)`, Cond{Func: "event", Value: "signup", Days: 7}},
		{"visited('/a*',1,1) and event('x', 2) OR source('google', 30)",
			Or{And{Cond{"visited", "/a*", "", 1, 1}, Cond{"event", "x", "", 0, 2}}, Cond{"source", "google", "", 0, 30}}},
		{"visited('/a',1,1) AND (event('x', 2) OR source('g', 3))",
			And{Cond{"visited", "/a", "", 1, 1}, Or{Cond{"event", "x", "", 0, 2}, Cond{"source", "g", "", 0, 3}}}},
		{`event('it\'s', 1)`, Cond{Func: "event", Value: "it's", Days: 1}},
		{"trait('gender', 'f') AND visited('/a', 1, 1)", And{Cond{Func: "trait", Value: "gender", Arg: "f"}, Cond{"visited", "/a", "", 1, 1}}},
	} {
		t.Run(c.rule, func(t *testing.T) {
			got, err := Parse(c.rule)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %#v\nwant %#v", got, c.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ rule, want string }{
		{"", "want a condition, got the end"},
		{"visited('/a', 3)", `want ","`},
		{"visited('/a', 0, 30)", "out of range"},
		{"visited('/a', 1, 99999)", "out of range"},
		{"event(signup, 3)", "want a quoted string"},
		{"event('x', '3')", "want a whole number"},
		{"interest('sports') ", `unknown condition "interest"`},
		{"trait('gender', 1)", "argument 2: want a quoted string"},
		{"event('x', 3) AND", "got the end"},
		{"event('x', 3) event('y', 3)", `unexpected "event"`},
		{"(event('x', 3)", `want ")"`},
		{"event('x, 3)", "unterminated string"},
		{"event('', 3)", "empty string"},
		{strings.Repeat("event('x', 1) OR ", 20) + "event('x', 1)", "at most 20"},
	} {
		t.Run(c.rule, func(t *testing.T) {
			_, err := Parse(c.rule)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestCompileBindsValues: the values of a rule never enter the SQL text
// (each is a bound parameter), LIKE wildcards in a path are escaped, and
// only a trailing * matches a prefix.
func TestCompileBindsValues(t *testing.T) {
	n, err := Parse(`visited('/50%_off*', 2, 30) OR event('x'' OR 1=1 --', 3)`)
	if err == nil {
		t.Fatalf("a stray quote parsed: %#v", n)
	}
	n, err = Parse(`visited('/50%_off*', 2, 30) OR event('x\' OR 1=1 --', 3)`)
	if err != nil {
		t.Fatal(err)
	}
	q, err := Compile(n, queries.Dialect{DB: "db"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(q.Text, "1=1") || strings.Contains(q.Text, "50%") {
		t.Fatalf("a value entered the SQL:\n%s", q.Text)
	}
	if !strings.Contains(q.Text, "@c1") || !strings.Contains(q.Text, "@c2") || !strings.Contains(q.Text, "INTERVAL 30 DAY") || !strings.Contains(q.Text, ">= 2") {
		t.Fatalf("SQL:\n%s", q.Text)
	}
	if len(q.Args) != 2 {
		t.Fatalf("args %v", q.Args)
	}
	if got := likePattern(`/50%_off*`); got != `/50\%\_off%` {
		t.Fatalf("likePattern: %s", got)
	}
	if got := likePattern(`/a*b`); got != `/a*b` {
		t.Fatalf("likePattern: %s", got)
	}
}

func TestCheckName(t *testing.T) {
	for name, ok := range map[string]bool{"pricing": true, "buyers-2026_q1": true, "": false, "1st": false, "Big": false, "a b": false, strings.Repeat("a", 65): false} {
		if err := CheckName(name); (err == nil) != ok {
			t.Errorf("CheckName(%q) = %v", name, err)
		}
	}
}
