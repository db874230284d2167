package enrich

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
)

// newTestEnricher returns an Enricher for cfg that is closed when the test
// ends.
func newTestEnricher(tb testing.TB, cfg Config) *Enricher {
	tb.Helper()
	e, err := New(cfg, nil)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	tb.Cleanup(func() { e.Close() })
	return e
}

// fileLines returns the lines of path.
func fileLines(tb testing.TB, path string) []string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	for s.Scan() {
		out = append(out, s.Text())
	}
	if err := s.Err(); err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	return out
}

// corpus returns the User-Agent sample in testdata, or the file that
// ASHIATO_UA_CORPUS names.
func corpus(tb testing.TB) []string {
	tb.Helper()
	path := os.Getenv("ASHIATO_UA_CORPUS")
	if path == "" {
		path = "testdata/user-agents.txt"
	}
	out := fileLines(tb, path)
	if len(out) == 0 {
		tb.Fatal("empty corpus")
	}
	return out
}

// isBrowserUA reports whether ua is a current browser string, as the load
// generator (cmd/loadgen) picks them for never-seen User-Agents.
func isBrowserUA(ua string) bool {
	return strings.HasPrefix(ua, "Mozilla/5.0 ") &&
		(strings.Contains(ua, "Chrome/") || strings.Contains(ua, "Firefox/") || strings.Contains(ua, "Safari/"))
}

// buildVariant returns ua with a " Build/<n>.<seq>" suffix, the shape of
// the never-seen User-Agents that the load generator sends.
func buildVariant(ua string, seq int) string {
	return fmt.Sprintf("%s Build/%d.%d", ua, uint32(seq)*2654435761, seq)
}

// buildVariants returns the Build/ variants of the browser strings in uas.
func buildVariants(uas []string) []string {
	var out []string
	for i, ua := range uas {
		if isBrowserUA(ua) {
			out = append(out, buildVariant(ua, i))
		}
	}
	return out
}
