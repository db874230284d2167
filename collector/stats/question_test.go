package stats

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector"
)

// TestParseRange: days are days in the zone, both included, also across
// a DST change; bad dates and long ranges are refused with the field.
func TestParseRange(t *testing.T) {
	for _, c := range []struct {
		name, from, to, tz string
		wantFrom, wantTo   string // UTC
		days               int
		field              string
	}{
		{"tokyo day", "2026-03-02", "2026-03-02", "Asia/Tokyo", "2026-03-01T15:00:00Z", "2026-03-02T15:00:00Z", 1, ""},
		{"new york dst day has 23 hours", "2026-03-08", "2026-03-08", "America/New_York", "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z", 1, ""},
		{"new york fall back has 25 hours", "2026-11-01", "2026-11-01", "America/New_York", "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z", 1, ""},
		{"two weeks", "2026-03-02", "2026-03-15", "UTC", "2026-03-02T00:00:00Z", "2026-03-16T00:00:00Z", 14, ""},
		{"malformed from", "2026-3-2", "2026-03-02", "UTC", "", "", 0, "from"},
		{"no such day", "2026-02-30", "2026-03-02", "UTC", "", "", 0, "from"},
		{"malformed to", "2026-03-02", "tomorrow", "UTC", "", "", 0, "to"},
		{"to before from", "2026-03-02", "2026-03-01", "UTC", "", "", 0, "to"},
		{"too long", "2020-01-01", "2026-03-01", "UTC", "", "", 0, "to"},
	} {
		t.Run(c.name, func(t *testing.T) {
			loc, _ := time.LoadLocation(c.tz)
			r, err := ParseRange(c.from, c.to, loc, 400)
			if c.field != "" {
				var ce *collector.Error
				if !errors.As(err, &ce) || ce.Field != c.field || ce.Code != collector.EInvalid {
					t.Fatalf("err %v, want invalid %s", err, c.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := r.From.Format(time.RFC3339); got != c.wantFrom {
				t.Errorf("from %s, want %s", got, c.wantFrom)
			}
			if got := r.To.Format(time.RFC3339); got != c.wantTo {
				t.Errorf("to %s, want %s", got, c.wantTo)
			}
			if r.Days != c.days {
				t.Errorf("days %d, want %d", r.Days, c.days)
			}
		})
	}
}

// TestShift: the comparison ranges.
func TestShift(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Tokyo")
	r, _ := ParseRange("2026-03-09", "2026-03-15", loc, 0)
	if p := r.Shift("previous"); p.FromDay != "2026-03-02" || p.ToDay != "2026-03-08" {
		t.Errorf("previous: %s..%s", p.FromDay, p.ToDay)
	}
	if y := r.Shift("year"); y.FromDay != "2025-03-09" || y.ToDay != "2025-03-15" {
		t.Errorf("year: %s..%s", y.FromDay, y.ToDay)
	}
}

// TestParseFilter: the forms a marketer types, and what is refused.
func TestParseFilter(t *testing.T) {
	for _, c := range []struct {
		in, dim, op, value, err string
	}{
		{"page is /pricing", "page", "is", "/pricing", ""},
		{"page is not /pricing", "page", "is_not", "/pricing", ""},
		{"utm_campaign contains 'spring sale'", "utm_campaign", "contains", "spring sale", ""},
		{"prop:plan prefix pro", "prop:plan", "prefix", "pro", ""},
		{"entry_page is_not /", "entry_page", "is_not", "/", ""},
		{"page like /x", "", "", "", "unknown operator"},
		{"nope is x", "", "", "", "unknown dimension"},
		{"day is 2026-03-02", "", "", "", "cannot be filtered"},
		{"page", "", "", "", "want 'dimension operator value'"},
		{"page is /" + strings.Repeat("ä", MaxFilterValue-1), "page", "is", "/" + strings.Repeat("ä", MaxFilterValue-1), ""},
		{"page is /" + strings.Repeat("a", MaxFilterValue), "", "", "", "at most 2048 characters"},
		{"prop:" + strings.Repeat("k", collector.MaxPropKeyLen) + " is v", "prop:" + strings.Repeat("k", collector.MaxPropKeyLen), "is", "v", ""},
		{"prop:" + strings.Repeat("k", collector.MaxPropKeyLen+1) + " is v", "", "", "", "unknown dimension"},
	} {
		t.Run(c.in, func(t *testing.T) {
			f, err := ParseFilter(c.in, "f0")
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || f.Dim.Name != c.dim || f.Op != c.op || f.Value != c.value {
				t.Fatalf("%+v %v, want %s %s %q", f, err, c.dim, c.op, c.value)
			}
		})
	}
}

// TestQuestionLimits: too many filters, or a property key longer than any
// event may carry, are refused with the field before any SQL is made (the
// statement would otherwise pass the server's max_query_size: a 503).
func TestQuestionLimits(t *testing.T) {
	e := &Engine{Site: func(id string) *collector.Site { return &collector.Site{ID: id, TimeZone: "UTC"} }}
	q := Question{Report: "pages", Site: "s", From: "2026-03-01", To: "2026-03-02"}
	for i := 0; i < MaxFilters; i++ {
		q.Filters = append(q.Filters, "prop:k is v")
	}
	if _, err := e.Plan(q); err != nil {
		t.Fatalf("%d filters: %v", MaxFilters, err)
	}
	q.Filters = append(q.Filters, "prop:k is v")
	var ce *collector.Error
	if _, err := e.Plan(q); !errors.As(err, &ce) || ce.Field != "filter" || ce.Code != collector.EInvalid {
		t.Errorf("%d filters: %v, want invalid filter", len(q.Filters), err)
	}
	q.Filters, q.By = nil, "prop:"+strings.Repeat("k", collector.MaxPropKeyLen+1)
	if _, err := e.Plan(q); !errors.As(err, &ce) || ce.Field != "by" {
		t.Errorf("a property key of %d characters: %v, want invalid by", collector.MaxPropKeyLen+1, err)
	}
}

// TestValuesAreBound: a value never reaches the SQL text; it is a
// parameter, and the SQL holds only whitelisted names.
func TestValuesAreBound(t *testing.T) {
	e := &Engine{Site: func(id string) *collector.Site { return &collector.Site{ID: id, TimeZone: "UTC"} }}
	evil := `x' OR 1=1 --`
	sts, err := e.Statements(Question{Report: "pages", Site: "s", From: "2026-03-01", To: "2026-03-02",
		Filters: []string{"page is " + evil, "prop:" + "plan contains " + evil}, By: "prop:a'b"})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range sts {
		if strings.Contains(st.SQL, evil) || strings.Contains(st.SQL, "a'b") {
			t.Errorf("%s: a value is in the SQL:\n%s", st.Name, st.SQL)
		}
	}
	if sts[0].Params["f0"] != evil || sts[0].Params["by_key"] != "a'b" {
		t.Errorf("params %v", sts[0].Params)
	}
	in, err := Inline(sts[0])
	if err != nil || !strings.Contains(in, `'x\' OR 1=1 --'`) {
		t.Errorf("inline: %v", err)
	}
}

// TestStatementSettings: every statement asks for the uncompressed cache;
// a totals statement of its own, asked beside its results, takes half the
// server's threads; one that is also the results keeps them all; the
// archive's statements take one.
func TestStatementSettings(t *testing.T) {
	e := &Engine{Threads: 4, Site: func(id string) *collector.Site { return &collector.Site{ID: id, TimeZone: "UTC"} }}
	ask := func(report string) []Statement {
		t.Helper()
		sts, err := e.Statements(Question{Report: report, Site: "s", From: "2026-03-01", To: "2026-03-02"})
		if err != nil {
			t.Fatal(err)
		}
		return sts
	}
	if sts := ask("pages"); sts[0].SQL == sts[1].SQL ||
		!strings.HasSuffix(sts[0].SQL, "\nSETTINGS use_uncompressed_cache = 1, max_execution_time = 60") ||
		!strings.HasSuffix(sts[1].SQL, "\nSETTINGS use_uncompressed_cache = 1, max_execution_time = 60, max_threads = 2") {
		t.Errorf("pages (a row per page of a visit: totals of their own):\n%s\n\n%s", sts[0].SQL, sts[1].SQL)
	}
	if sts := ask("sources"); sts[0].SQL != sts[1].SQL || !strings.HasSuffix(sts[0].SQL, "\nSETTINGS use_uncompressed_cache = 1, max_execution_time = 60") {
		t.Errorf("sources (WITH TOTALS, one statement):\n%s", sts[0].SQL)
	}
	p, err := e.Plan(Question{Report: "pages", Site: "s", From: "2026-03-01", To: "2026-03-02"})
	if err != nil {
		t.Fatal(err)
	}
	p.capThreads = 1 // the archive's: one thread for every statement
	sts, err := p.statements(p.rng)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range sts {
		if !strings.HasSuffix(st.SQL, "\nSETTINGS use_uncompressed_cache = 1, max_execution_time = 60, max_threads = 1") {
			t.Errorf("pages in the archive, %s:\n%s", st.Name, st.SQL)
		}
	}
	e.Threads = 0 // unknown: the server's default
	if sts := ask("pages"); strings.Contains(sts[1].SQL, "max_threads") {
		t.Errorf("pages without threads:\n%s", sts[1].SQL)
	}
}
