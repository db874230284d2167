package store

import "testing"

func TestParseThreads(t *testing.T) {
	for v, want := range map[string]int{"8": 8, "auto(2)": 2, "'auto(16)'": 0, "": 0, "auto()": 0, "-1": 0, "x": 0} {
		if got := parseThreads(v); got != want {
			t.Errorf("parseThreads(%q) = %d, want %d", v, got, want)
		}
	}
}
