package chdbcheck

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/interest"
	"github.com/ashiato/ashiato/collector/segment"
	"github.com/ashiato/ashiato/queries"
)

// TestSegmentsRunOnCurrentClickHouse runs a segment that uses every
// condition (queries/audiences/*.sql), alone (a preview's sizes) and as the
// source of the export's consent check (exports/audience_members.sql).
func TestSegmentsRunOnCurrentClickHouse(t *testing.T) {
	sess, d, _ := migrated(t)
	n, err := segment.Parse(`visited('/pricing*', 2, 30) AND (event('signup', 7) OR source('google', 30)) AND trait('gender', 'f') OR member('lookalike:x:1')` +
		` OR interest('sports') >= 0.5 AND lookalike('prospects') > 0.7`)
	if err != nil {
		t.Fatal(err)
	}
	site := &collector.Site{ID: "demo", PolicyRevision: 1,
		Purposes:  []collector.Purpose{{ID: "personalization", Capabilities: []string{"interest_profile"}}},
		Interests: collector.Interests{HalfLifeDays: 30, Categories: []collector.InterestCategory{{Name: "sports", Paths: []string{"/sports/*"}}}}}
	q, err := segment.Compile(n, d, site)
	if err != nil {
		t.Fatal(err)
	}
	export, err := queries.RenderSource("exports/audience_members", d, q.Text)
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{}
	for _, a := range q.Args {
		na := a.(driver.NamedValue)
		values[na.Name] = literal(na.Value)
	}
	for name, sql := range map[string]string{"segment": q.Text, "export": export} {
		sql = anyNamed.ReplaceAllStringFunc(sql, func(m string) string {
			if v, ok := values[m[1:]]; ok {
				return v
			}
			v, ok := params[m[1:]]
			if !ok {
				t.Fatalf("%s uses parameter %s", name, m)
			}
			return v
		})
		if _, err := sess.Query(sql, "TSV"); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, sql)
		}
	}
}

// anyNamed matches a parameter as clickhouse-go's binding does.
var anyNamed = regexp.MustCompile(`@[a-zA-Z0-9_]+`)

// literal writes a bound value as SQL for chDB.
func literal(v any) string {
	switch v := v.(type) {
	case string:
		return "'" + strings.ReplaceAll(v, "'", `\'`) + "'"
	case []string:
		out := make([]string, len(v))
		for i, s := range v {
			out[i] = literal(s)
		}
		return "[" + strings.Join(out, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// TestInterestsRunOnCurrentClickHouse runs the interest scores of a site
// with a category of each kind of rule on ClickHouse 26.
func TestInterestsRunOnCurrentClickHouse(t *testing.T) {
	sess, d, _ := migrated(t)
	site := &collector.Site{ID: "demo", Interests: collector.Interests{HalfLifeDays: 30, Categories: []collector.InterestCategory{
		{Name: "sports", Paths: []string{"/sports/*"}, Events: []string{"watch"}, Props: map[string]string{"section": "sports"}},
		{Name: "travel", Paths: []string{"/travel"}},
	}}}
	text, args, err := interest.SQL(site, d, interest.Query{Visitor: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	for i := len(args) - 1; i >= 0; i-- { // highest first: @i10 before @i1
		na := args[i].(driver.NamedValue)
		text = strings.ReplaceAll(text, "@"+na.Name, "'"+strings.ReplaceAll(na.Value.(string), "'", `\'`)+"'")
	}
	text = strings.ReplaceAll(text, "@site", params["site"])
	if _, err := sess.Query(text, "TSV"); err != nil {
		t.Fatalf("interests: %v\n%s", err, text)
	}
}

// TestLookalikeFeaturesRunOnCurrentClickHouse reads the look-alike
// features on ClickHouse 26.
func TestLookalikeFeaturesRunOnCurrentClickHouse(t *testing.T) {
	sess, d, _ := migrated(t)
	text, err := queries.RenderWith("audiences/lookalike_features", d, struct {
		queries.Dialect
		Days int
	}{d, 90})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sess.Query(strings.ReplaceAll(text, "@site", params["site"]), "TSV"); err != nil {
		t.Fatalf("lookalike_features: %v\n%s", err, text)
	}
}

// TestPartnerCellsRunOnCurrentClickHouse runs the cells of a statistics
// export for partners, of one dimension and of two, on ClickHouse 26.
func TestPartnerCellsRunOnCurrentClickHouse(t *testing.T) {
	sess, d, _ := migrated(t)
	for _, dim2 := range []string{"''", "device_type"} {
		text, err := queries.RenderWith("partner/cells", d, struct {
			queries.Dialect
			Dim, Dim2 string
		}{d, "url_path", dim2})
		if err != nil {
			t.Fatal(err)
		}
		text = strings.NewReplacer("@site", params["site"], "@from", params["from"], "@to", params["to"]).Replace(text)
		if _, err := sess.Query(text, "TSV"); err != nil {
			t.Fatalf("partner/cells: %v\n%s", err, text)
		}
	}
}
