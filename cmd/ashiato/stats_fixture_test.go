package main

import (
	"fmt"
	"testing"

	"github.com/ashiato/ashiato/collector/stats/statstest"
)

// check asks q through the admin API and compares the answer.
func (e *statsEnv) check(t *testing.T, q statstest.Question) map[string]any {
	t.Helper()
	evs := statstest.Stored(e.fx)
	sq, want, totals := q.Expected(evs)
	name := fmt.Sprintf("%s by=%s tz=%s %s..%s filters=%v", q.Report, sq.Dim, q.TZ, q.From, q.To, q.Filters)
	st, ans := e.stats(t, q.Report, q.Params()...)
	if st != 200 {
		t.Errorf("%s: %d %v", name, st, ans)
		return ans
	}
	got, _ := ans["results"].([]any)
	dim := sq.Dim
	if dim == "" {
		got = []any{ans["totals"]}
		want = []statstest.Row{totals}
		if len(totals) == 0 {
			want = nil
		}
		for _, r := range want {
			r["dim"] = "<nil>"
		}
	}
	statstest.CheckRows(t, name, got, want, dim, sq.Metrics, sq.Series)
	return ans
}
