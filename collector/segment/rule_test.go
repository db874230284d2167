package segment

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/ashiato/ashiato/collector"
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
		{"interest('sports') >= 0.5", Score{Func: "interest", Name: "sports", Op: ">=", Min: 0.5}},
		{"lookalike('prospects')>0.75 OR event('x', 1)", Or{Score{"lookalike", "prospects", ">", 0.75}, Cond{"event", "x", "", 0, 1}}},
		{"INTEREST('travel') >= 2 AND trait('gender', 'f')", And{Score{"interest", "travel", ">=", 2}, Cond{Func: "trait", Value: "gender", Arg: "f"}}},
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
		{"topic('sports') ", `unknown condition "topic"`},
		{"interest('sports')", "want >= or > and a number"},
		{"interest('sports') = 0.5", "want >= or > and a number"},
		{"interest('sports') <= 0.5", "want >= or > and a number"},
		{"lookalike('p') >= 'x'", "want a number after >="},
		{"lookalike('p') >= 2000000", "out of range"},
		{"interest(sports) >= 1", "want a quoted string"},
		{"interest('sports', 0.5)", `want ")"`},
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
	q, err := Compile(n, queries.Dialect{DB: "db"}, nil)
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

// TestCompileScores: interest and look-alike conditions bind the category
// or model and the threshold; an interest condition brings the category's
// scores (its own parameters, never clashing with the rule's), the
// interest_profile purposes and the policy revision; a site where no
// purpose unlocks interest_profile matches nobody; an unknown category is
// refused.
func TestCompileScores(t *testing.T) {
	site := &collector.Site{ID: "shop", PolicyRevision: 3,
		Purposes: []collector.Purpose{{ID: "analytics", Capabilities: []string{"persistent_id"}}, {ID: "personalization", Capabilities: []string{"interest_profile"}}},
		Interests: collector.Interests{HalfLifeDays: 30, Categories: []collector.InterestCategory{
			{Name: "sports", Paths: []string{"/sports/*"}}, {Name: "travel", Events: []string{"book"}}}}}
	n, err := Parse("(interest('sports') >= 0.25 OR interest('travel') > 1) AND lookalike('p\\' OR 1=1') >= 0.7")
	if err != nil {
		t.Fatal(err)
	}
	q, err := Compile(n, queries.Dialect{DB: "db"}, site)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(q.Text, "1=1") || strings.Contains(q.Text, "0.25") || strings.Contains(q.Text, "/sports") {
		t.Fatalf("a value entered the SQL:\n%s", q.Text)
	}
	args := map[string]any{}
	for _, a := range q.Args {
		na := a.(driver.NamedValue)
		if _, dup := args[na.Name]; dup {
			t.Fatalf("parameter %s bound twice", na.Name)
		}
		args[na.Name] = na.Value
	}
	for name, want := range map[string]any{"c1": "sports", "c2": 0.25, "c1i1": "/sports/%", "c1i2": "sports", "c5": []string{"personalization"}, "c6": 3,
		"c7": "travel", "c8": 1.0, "c7i1": "book", "c7i2": "travel", "c11": []string{"personalization"}, "c12": 3, "c13": "p' OR 1=1", "c14": 0.7} {
		if !reflect.DeepEqual(args[name], want) {
			t.Errorf("@%s = %#v, want %#v", name, args[name], want)
		}
	}
	for _, frag := range []string{"category = @c1 AND score >= @c2", "score > @c8", "hasAny(g, @c5)", "rev >= @c6", "lookalike_scores", "score >= @c14", "model = @c13"} {
		if !strings.Contains(q.Text, frag) {
			t.Errorf("SQL lacks %q:\n%s", frag, q.Text)
		}
	}
	noProfile := *site
	noProfile.Purposes = site.Purposes[:1]
	q, err = Compile(Score{"interest", "sports", ">=", 1}, queries.Dialect{DB: "db"}, &noProfile)
	if err != nil || !strings.Contains(q.Text, "AND (0)") && !strings.Contains(q.Text, "AND 0") {
		t.Fatalf("no purpose unlocks interest_profile: %v\n%s", err, q.Text)
	}
	if _, err := Compile(Score{"interest", "cooking", ">=", 1}, queries.Dialect{DB: "db"}, site); err == nil || !strings.Contains(err.Error(), `"cooking" is not in the site's interests`) {
		t.Fatalf("unknown category: %v", err)
	}
	if got := Uses(n, "interest"); !reflect.DeepEqual(got, []string{"sports", "travel"}) {
		t.Fatalf("Uses interest: %v", got)
	}
}
