package enrich

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// updateBrowserCorpus makes TestBrowserCorpusRule write the corpus instead
// of comparing it: go test ./collector/enrich/ -run TestBrowserCorpusRule -update-browser-corpus
var updateBrowserCorpus = flag.Bool("update-browser-corpus", false, "rewrite testdata/browser-corpus.txt from the shared User-Agent files")

const browserCorpusPath = "testdata/browser-corpus.txt"

// automationToken matches what automated clients declare about themselves:
// crawler words, link previews, monitoring, scanners, HTTP libraries and
// tools, proxies that fetch for someone, the "+http://" contact URL of a
// bot. A string with one is left out of the browser corpus.
var automationToken = regexp.MustCompile(`(?i)bot|crawl|spider|slurp|\bpreview|monitor|synthetic|headless|inspect|scan|fetch|checker|validat|` +
	`curl|wget|libwww|lwp|python|java/\d|jakarta|http[- ]?client|aggregator|okhttp|axios|go-http|perl|ruby|php|node-fetch|` +
	`archive|harvest|scrap|download|feed|rss|proxy|gzip\(gfe\)| via |lighthouse|pagespeed|selenium|webdriver|puppeteer|playwright|\+https?://`)

// browserShape matches the start of a browser's User-Agent: "Mozilla/5.0"
// and a platform part "(x; y".
var browserShape = regexp.MustCompile(`^Mozilla/5\.0 ?\([^;)]*;`)

// browserCorpus applies the rule of testdata/README.md to the shared
// User-Agent files in dir: every distinct string of uap-core's test corpus
// and of the UA column of the pgts list that has a browser's shape, that
// uap-core does not parse as a Spider and that carries no automation token,
// less the strings README.md lists as left out by hand.
func browserCorpus(tb testing.TB, dir string) []string {
	tb.Helper()
	uas := fileLines(tb, filepath.Join(dir, "uap-core-test-uas.txt"))
	for _, line := range fileLines(tb, filepath.Join(dir, "pgts-browser-list.txt")) {
		f := strings.Split(line, "\t") // family, version, User-Agent
		uas = append(uas, f[len(f)-1])
	}
	byHand := handExcluded(tb)
	m, err := sharedUAMatcher()
	if err != nil {
		tb.Fatal(err)
	}
	seen := map[string]bool{}
	var out []string
	for _, ua := range uas {
		if seen[ua] || byHand[ua] {
			continue
		}
		seen[ua] = true
		if browserShape.MatchString(ua) && !automationToken.MatchString(ua) &&
			m.parse(ua).Device.Family != "Spider" {
			out = append(out, ua)
		}
	}
	slices.Sort(out)
	return out
}

// handExcluded reads the list of testdata/README.md's section on the
// strings left out by hand: lines "- `User-Agent`: reason".
func handExcluded(tb testing.TB) map[string]bool {
	tb.Helper()
	out := map[string]bool{}
	in := false
	for _, line := range fileLines(tb, "testdata/README.md") {
		switch {
		case strings.HasPrefix(line, "#"):
			in = strings.Contains(line, "Left out by hand")
		case in && strings.HasPrefix(line, "- `"):
			ua, reason, ok := strings.Cut(line[3:], "`: ")
			if !ok || strings.TrimSpace(reason) == "" {
				tb.Fatalf("README.md: hand exclusion without a reason: %s", line)
			}
			out[ua] = true
		}
	}
	if len(out) == 0 {
		tb.Fatal("README.md: no section \"Left out by hand\"")
	}
	return out
}

// TestBrowserCorpusRule checks that testdata/browser-corpus.txt is what the
// rule gives on the shared User-Agent files (ASHIATO_UA_SOURCES, default
// /work/shared/data/user-agents); it is skipped where they are absent.
func TestBrowserCorpusRule(t *testing.T) {
	dir := os.Getenv("ASHIATO_UA_SOURCES")
	if dir == "" {
		dir = "/work/shared/data/user-agents"
	}
	if _, err := os.Stat(filepath.Join(dir, "pgts-browser-list.txt")); err != nil {
		t.Skipf("no shared User-Agent files: %v", err)
	}
	want := browserCorpus(t, dir)
	if *updateBrowserCorpus {
		if err := os.WriteFile(browserCorpusPath, []byte(strings.Join(want, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := fileLines(t, browserCorpusPath)
	if !slices.Equal(got, want) {
		t.Fatalf("%s: %d lines, the rule gives %d: run with -update-browser-corpus", browserCorpusPath, len(got), len(want))
	}
	t.Logf("%d browser strings", len(got))
}
