package uacorpus

import "testing"

func TestLine(t *testing.T) {
	for in, want := range map[string]string{
		"Mozilla/5.0 (X11)":                   "Mozilla/5.0 (X11)",
		"  curl/7.0  ":                        "curl/7.0",
		"Curl\t7.0\tcurl/7.0":                 "curl/7.0",
		"Firefox\t128\t\"Mozilla/5.0 (X11)\"": "Mozilla/5.0 (X11)",
		"\"  spaced  \"":                      "spaced",
		"\"":                                  "\"",
		"":                                    "",
	} {
		if got := Line(in); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
}
