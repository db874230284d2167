package pace

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	b := Backoff{Max: 500 * time.Millisecond}
	var got []time.Duration
	for range 5 {
		got = append(got, b.Next())
	}
	want := []time.Duration{100, 200, 400, 500, 500}
	for i := range want {
		if got[i] != want[i]*time.Millisecond {
			t.Fatalf("waits %v, want %v ms", got, want)
		}
	}
	b.Reset()
	if d := b.Next(); d != MinBackoff {
		t.Errorf("after Reset: %v, want %v", d, MinBackoff)
	}
}
