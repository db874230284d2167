package ingest

import (
	"testing"
	"time"
)

func TestWindows(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	w := &Windows{Max: 3, Window: time.Minute, Now: func() time.Time { return now }}
	for i := range 3 {
		if _, ok := w.Take("a"); !ok {
			t.Fatalf("take %d refused within the budget", i)
		}
	}
	if wait, ok := w.Take("a"); ok || wait != time.Minute {
		t.Fatalf("fourth take: ok=%v wait=%s, want refused for a minute", ok, wait)
	}
	if _, ok := w.Take("b"); !ok {
		t.Fatal("another key refused")
	}
	now = now.Add(45 * time.Second)
	if wait, full := w.Full("a"); !full || wait != 15*time.Second {
		t.Fatalf("Full after 45 s: %v %s, want full for 15 s", full, wait)
	}
	now = now.Add(15 * time.Second)
	if _, ok := w.Take("a"); !ok {
		t.Fatal("a new window refused")
	}
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{{0, "1"}, {200 * time.Millisecond, "1"}, {time.Second, "1"}, {1100 * time.Millisecond, "2"}, {time.Minute, "60"}} {
		if got := RetryAfterSeconds(tc.d); got != tc.want {
			t.Errorf("RetryAfterSeconds(%s) = %s, want %s", tc.d, got, tc.want)
		}
	}
}
