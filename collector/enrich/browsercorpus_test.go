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
// and a platform part of more than one word.
var browserShape = regexp.MustCompile(`^Mozilla/5\.0 ?\([^)]*[ ;]`)

// browserCorpus applies the rule of testdata/README.md to the shared
// User-Agent files in dir: every distinct string of uap-core's test corpus
// and of the UA column of the pgts list that has a browser's shape, that
// uap-core does not parse as a Spider and that carries no automation token,
// less the strings README.md lists as left out by hand.
// It also returns the hand-excluded strings that the rule picked.
func browserCorpus(tb testing.TB, dir string) (corpus, byHandPicked []string) {
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
	for _, ua := range uas {
		if seen[ua] {
			continue
		}
		seen[ua] = true
		if browserShape.MatchString(ua) && !automationToken.MatchString(ua) &&
			m.parse(ua).Device.Family != "Spider" {
			if byHand[ua] {
				byHandPicked = append(byHandPicked, ua)
			} else {
				corpus = append(corpus, ua)
			}
		}
	}
	slices.Sort(corpus)
	if len(byHandPicked) != len(byHand) {
		tb.Errorf("README.md lists %d strings left out by hand, the rule picks %d of them", len(byHand), len(byHandPicked))
	}
	return corpus, byHandPicked
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
// /work/shared/data/user-agents), and that each string left out by hand is
// one the rule picks and the bot flag marks: the hand list hides nothing
// else. It is skipped where the files are absent.
func TestBrowserCorpusRule(t *testing.T) {
	dir := os.Getenv("ASHIATO_UA_SOURCES")
	if dir == "" {
		dir = "/work/shared/data/user-agents"
	}
	if _, err := os.Stat(filepath.Join(dir, "pgts-browser-list.txt")); err != nil {
		t.Skipf("no shared User-Agent files: %v", err)
	}
	want, byHand := browserCorpus(t, dir)
	e := newTestEnricher(t, Config{})
	for _, ua := range byHand {
		if !e.UA(ua).IsBot {
			t.Errorf("left out by hand but not flagged: %s", ua)
		}
	}
	if *updateBrowserCorpus {
		if err := os.WriteFile(browserCorpusPath, []byte(strings.Join(want, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := fileLines(t, browserCorpusPath)
	if !slices.Equal(got, want) {
		t.Fatalf("%s: %d lines, the rule gives %d: run with -update-browser-corpus", browserCorpusPath, len(got), len(want))
	}
	t.Logf("%d browser strings, %d left out by hand", len(got), len(byHand))
}
