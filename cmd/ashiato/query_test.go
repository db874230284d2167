package main

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
)

// TestInterspersed: flags may come before or after the report name.
func TestInterspersed(t *testing.T) {
	for _, c := range []struct{ in, want []string }{
		{[]string{"pages", "--site", "demo", "--sql"}, []string{"--site", "demo", "--sql", "pages"}},
		{[]string{"--list"}, []string{"--list"}},
		{[]string{"-p", "site=demo", "pageviews_by_day", "-p", "tz=Asia/Tokyo"}, []string{"-p", "site=demo", "-p", "tz=Asia/Tokyo", "pageviews_by_day"}},
		{[]string{"--from=2026-01-01", "overview"}, []string{"--from=2026-01-01", "overview"}},
	} {
		if got := interspersed(c.in, "list", "sql"); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: %q, want %q", c.in, got, c.want)
		}
	}
}

// TestQueryCLIWithoutClickHouse: --list, --sql and bad input need no
// server; the old -p form after the report name works.
func TestQueryCLIWithoutClickHouse(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		out  string // substring of stdout (code 0) or stderr
	}{
		{[]string{"query", "--list"}, 0, "retention"},
		{[]string{"query", "pageviews_by_day", "-p", "site=demo", "-p", "from=2026-11-01", "-p", "to=2026-11-30", "-p", "tz=Asia/Tokyo", "--sql"}, 0, "toDateTime(1793458800)"},
		{[]string{"query", "pages", "--site", "demo", "--from", "2026-03-01", "--to", "2026-03-02", "--sql", "--filter", "page is /x"}, 0, "e_path = '/x'"},
		{[]string{"query", "nope", "--site", "demo"}, 1, `report: unknown report "nope"`},
		{[]string{"query", "pages", "--site", "demo", "--from", "2026-03-01", "--to", "2026-02-01", "--sql"}, 1, "to: to (2026-02-01) is before from"},
		{[]string{"query", "pages", "--site", "demo", "--from", "2026-03-01", "--to", "2026-03-02", "--metrics", "x", "--sql"}, 1, `metrics: unknown metric "x"`},
		{[]string{"query", "pages", "--site", "demo", "--from", "2026-03-01", "--to", "2026-03-02", "--by", "x", "--sql"}, 1, `by: unknown dimension "x"`},
		{[]string{"query", "pages", "--site", "nope", "--from", "2026-03-01", "--to", "2026-03-02", "--sql"}, 1, `site: no such site "nope"`},
		{[]string{"query", "pages", "--site", "demo", "--from", "2026-03-01", "--to", "2026-03-02", "--format", "xml"}, 1, "format"},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), c.args, &out, &errb)
		got := out.String()
		if c.code != 0 {
			got = errb.String()
		}
		if code != c.code || !strings.Contains(got, c.out) {
			t.Errorf("%q: exit %d\nstdout %s\nstderr %s\nwant exit %d with %q", c.args, code, out.String(), errb.String(), c.code, c.out)
		}
	}
}
