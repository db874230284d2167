package requests

import (
	"testing"
	"time"
)

func TestDeadline(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name  string
		filed string
		loc   *time.Location
		days  int
		want  string
	}{
		{"within a month", "2026-03-02T10:00:00Z", time.UTC, 14, "2026-03-16"},
		{"across a 31-day month end", "2026-01-25T10:00:00Z", time.UTC, 14, "2026-02-08"},
		{"from the 31st", "2026-01-31T10:00:00Z", time.UTC, 14, "2026-02-14"},
		{"across February, common year", "2026-02-20T00:00:00Z", time.UTC, 14, "2026-03-06"},
		{"across February, leap year", "2028-02-20T00:00:00Z", time.UTC, 14, "2028-03-05"},
		{"onto 29 February", "2028-02-15T00:00:00Z", time.UTC, 14, "2028-02-29"},
		{"century not leap", "2100-02-20T00:00:00Z", time.UTC, 14, "2100-03-06"},
		{"across the year end", "2026-12-25T00:00:00Z", time.UTC, 14, "2027-01-08"},
		{"Tokyo's date, not UTC's", "2026-01-31T20:00:00Z", tokyo, 14, "2026-02-15"},
		{"Tokyo's last day of February", "2028-02-28T16:00:00Z", tokyo, 1, "2028-03-01"},
		{"thirty days from 30 April", "2026-04-30T00:00:00Z", time.UTC, 30, "2026-05-30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Deadline(utc(tt.filed), tt.loc, tt.days)
			if got.Format(time.DateOnly) != tt.want || got.Location() != time.UTC || got.Hour() != 0 {
				t.Fatalf("Deadline(%s, %s, %d) = %s, want %s", tt.filed, tt.loc, tt.days, got, tt.want)
			}
		})
	}
}
