package enrich

import (
	"bufio"
	"os"
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

// corpus returns the User-Agent sample in testdata, or the file that
// ASHIATO_UA_CORPUS names.
func corpus(tb testing.TB) []string {
	tb.Helper()
	path := os.Getenv("ASHIATO_UA_CORPUS")
	if path == "" {
		path = "testdata/user-agents.txt"
	}
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("open corpus: %v", err)
	}
	defer f.Close()
	var out []string
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 64<<10), 64<<10)
	for s.Scan() {
		out = append(out, s.Text())
	}
	if err := s.Err(); err != nil {
		tb.Fatalf("read corpus: %v", err)
	}
	if len(out) == 0 {
		tb.Fatal("empty corpus")
	}
	return out
}
