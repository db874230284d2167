package enrich

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/ua-parser/uap-go/uaparser"
	"github.com/x-way/crawlerdetect"

	"github.com/ashiato/ashiato/internal/uacorpus"
)

// sharedUACorpusDir holds the larger User-Agent corpus of the load tests,
// when present.
const sharedUACorpusDir = "/work/shared/data/user-agents"

// readLines returns the lines of path, raw and normalised (both kept when
// they differ: the raw line is an input too).
func readLines(tb testing.TB, path string) []string {
	tb.Helper()
	var out []string
	for _, line := range fileLines(tb, path) {
		out = append(out, line)
		if n := uacorpus.Line(line); n != line {
			out = append(out, n)
		}
	}
	return out
}

// equivInputs returns, by source, the User-Agents that the equivalence
// tests compare on: the test corpus, the shared corpus when present,
// crawlerdetect's own test data, and the Build/ variant of each. step > 1
// samples them; crawlerdetect's 165,000 device strings are sampled
// devStep times more, unless ASHIATO_EQUIV_FULL is set.
func equivInputs(tb testing.TB, step, devStep int) map[string][]string {
	tb.Helper()
	sets := map[string][]string{"testdata": corpus(tb)}
	if files, _ := filepath.Glob(filepath.Join(sharedUACorpusDir, "*.txt")); len(files) > 0 {
		for _, f := range files {
			sets[filepath.Base(f)] = readLines(tb, f)
		}
	} else {
		tb.Logf("%s not present: not compared", sharedUACorpusDir)
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/x-way/crawlerdetect").Output()
	if err != nil {
		tb.Fatalf("go list crawlerdetect: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "testdata")
	for _, name := range []string{"crawlers.txt", "devices.txt"} {
		sets["crawlerdetect/"+name] = readLines(tb, filepath.Join(dir, name))
	}
	full := os.Getenv("ASHIATO_EQUIV_FULL") != ""
	withBuild := make(map[string][]string, 2*len(sets))
	for name, uas := range sets {
		every := step
		if name == "crawlerdetect/devices.txt" && !full {
			every *= devStep
		}
		var sampled, build []string
		for i, ua := range uas {
			if i%every == 0 {
				sampled = append(sampled, ua)
				build = append(build, buildVariant(ua, i))
			}
		}
		withBuild[name] = sampled
		withBuild[name+" Build/"] = build
	}
	return withBuild
}

// refParse is Enricher.parse as it was before the prefilters: uap-go's
// parser and crawlerdetect, called directly, in the same order, plus the
// isbot matcher (TestIsbotSameAsIsbot checks it against isbot), both on the
// string without data/botexclusions' tokens, cut out by one plain
// alternation. It returns uap-go's raw result for the (truncated) string
// too.
func refParse(ref *uaparser.Parser, ua string) (UAInfo, uaParsed) {
	isbot, _ := sharedIsbot()
	s := ua
	if len(s) > maxUALen {
		s = s[:maxUALen]
	}
	p := uaParsed{UA: *ref.ParseUserAgent(s), OS: *ref.ParseOs(s), Device: *ref.ParseDevice(s)}
	info := UAInfo{
		Browser:        p.UA.Family,
		BrowserVersion: version(p.UA.Major, p.UA.Minor),
		OS:             p.OS.Family,
		OSVersion:      version(p.OS.Major, p.OS.Minor),
	}
	switch {
	case strings.TrimSpace(s) == "":
		info.IsBot, info.BotReason = true, BotEmptyUA
	case strings.Contains(s, "HeadlessChrome") || strings.Contains(s, "Headless") ||
		strings.Contains(s, "PhantomJS") || strings.Contains(s, "SlimerJS") ||
		strings.Contains(s, "jsdom/") || strings.Contains(s, "Cypress/"):
		info.IsBot, info.BotReason = true, BotHeadless
	case p.Device.Family == "Spider" || isbot.match(refBotExclusions().ReplaceAllString(s, "")) ||
		crawlerdetect.IsCrawler(refBotExclusions().ReplaceAllString(s, "")):
		info.IsBot, info.BotReason = true, BotCrawler
	}
	info.DeviceType = deviceType(s, &p, info.IsBot)
	return info, p
}

// refBotExclusions is the alternation of data/botexclusions, compiled
// plainly, as crawlerdetect compiles its own exclusions.
var refBotExclusions = sync.OnceValue(func() *regexp.Regexp {
	pats, err := parseBotExclusions(botExclusionData)
	if err != nil {
		panic(err)
	}
	return regexp.MustCompile("(?i)(" + strings.Join(pats, "|") + ")")
})

// TestParseSameAsReference checks that Enricher.parse returns what the
// plain uap-go and crawlerdetect calls return, and that the matcher
// returns uap-go's raw result, on the equivalence inputs.
func TestParseSameAsReference(t *testing.T) {
	step := 10
	switch {
	case raceEnabled:
		step = 200
	case testing.Short():
		step = 20
	}
	if os.Getenv("ASHIATO_EQUIV_FULL") != "" {
		step = 1
	}
	e := newTestEnricher(t, Config{})
	ref, err := uaparser.New(uaparser.WithCacheSize(1))
	if err != nil {
		t.Fatal(err)
	}
	inputs := equivInputs(t, step, 50)
	if !raceEnabled {
		inputs["testdata (all)"] = corpus(t)
		inputs["testdata (all) browsers Build/"] = buildVariants(corpus(t))
	}
	inputs["edge cases"] = []string{"", " ", "Mozilla/5.0 (compatible; ſpider/1.0)", "Ünicode Browser/1.0 (Windows NT 10.0)",
		"GOOGLEBOT/2.1", strings.Repeat("Mozilla/5.0 (Linux; Android 10; SM-T510) ", 40) + "Googlebot",
		uaHeadless + " Googlebot", "Mozilla/5.0 (iPad; CPU OS 12_5 like Mac OS X) Googlebot/2.1"}
	total := 0
	for name, uas := range inputs {
		for _, ua := range uas {
			want, wantRaw := refParse(ref, ua)
			if got := e.parse(ua); got != want {
				t.Errorf("%s: parse(%q)\n got %+v\nwant %+v", name, ua, got, want)
			}
			if got := e.parser.parse(ua[:min(len(ua), maxUALen)]); got != wantRaw {
				t.Errorf("%s: matcher parse(%q)\n got %+v\nwant %+v", name, ua, got, wantRaw)
			}
		}
		t.Logf("%s: %d compared", name, len(uas))
		total += len(uas)
	}
	t.Logf("total: %d compared", total)
}

// FuzzMatcherSameAsUAPGo compares the prefiltered matcher with uap-go's
// parser on arbitrary strings, seeded with the test corpus and its Build/
// variants.
func FuzzMatcherSameAsUAPGo(f *testing.F) {
	step := 1
	if raceEnabled {
		step = 25 // uap-go takes ~10 ms a string under -race
	}
	for i, ua := range corpus(f) {
		if i%step == 0 {
			f.Add(ua)
			f.Add(buildVariant(ua, i))
		}
	}
	m, err := sharedUAMatcher()
	if err != nil {
		f.Fatal(err)
	}
	ref, err := uaparser.New(uaparser.WithCacheSize(1))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, ua string) {
		got := m.parse(ua)
		want := uaParsed{UA: *ref.ParseUserAgent(ua), OS: *ref.ParseOs(ua), Device: *ref.ParseDevice(ua)}
		if got != want {
			t.Errorf("parse(%q)\n got %+v\nwant %+v", ua, got, want)
		}
	})
}
