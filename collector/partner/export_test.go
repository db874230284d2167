package partner

import (
	"errors"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/stats"
)

// TestCheckRange: a range is refused, naming the field, when it is empty
// or backwards (to is excluded), longer than stats.DefaultMaxDays, or reaches a day
// events.ts cannot hold.
func TestCheckRange(t *testing.T) {
	d := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		name, from, to, field string // field "" = accepted
	}{
		{"one day", "2026-01-01", "2026-01-02", ""},
		{"MaxDays", "2026-01-01", d("2026-01-01").AddDate(0, 0, stats.DefaultMaxDays).Format(time.DateOnly), ""},
		{"first day", "1970-01-01", "1970-01-02", ""},
		{"last day", "2106-02-05", "2106-02-06", ""},
		{"empty", "2026-01-02", "2026-01-02", "to"},
		{"backwards", "2026-01-03", "2026-01-02", "to"},
		{"longer than stats.DefaultMaxDays", "2026-01-01", d("2026-01-01").AddDate(0, 0, stats.DefaultMaxDays+1).Format(time.DateOnly), "to"},
		{"to at the end of DateTime", "2106-02-01", "2106-02-07", "to"},
		{"to after the end of DateTime", "2106-02-01", "2200-01-01", "to"},
		{"from before 1970", "1969-12-31", "1970-01-02", "from"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := checkRange(d(c.from), d(c.to))
			if c.field == "" {
				if err != nil {
					t.Fatalf("%s to %s: %v", c.from, c.to, err)
				}
				return
			}
			var e *collector.Error
			if !errors.As(err, &e) || e.Code != collector.EInvalid || e.Field != c.field {
				t.Fatalf("%s to %s: %v, want invalid %s", c.from, c.to, err, c.field)
			}
		})
	}
}
