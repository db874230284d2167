package enrich

import (
	"strings"
	"testing"
)

// TestIsbotSameAsIsbot checks that the Go matcher gives the npm package's
// own verdict (recorded by data/isbot/update.sh with node) on every line
// of the test corpora.
func TestIsbotSameAsIsbot(t *testing.T) {
	m := testIsbot(t)
	for _, line := range fileLines(t, "testdata/isbot-verdicts.txt") {
		name, bits, ok := strings.Cut(line, "\t")
		if strings.HasPrefix(line, "#") || !ok {
			continue
		}
		uas := fileLines(t, "testdata/"+name)
		if len(uas) != len(bits) {
			t.Fatalf("%s: %d lines, %d verdicts: run `make bot-patterns`", name, len(uas), len(bits))
		}
		bots := 0
		for i, ua := range uas {
			want := bits[i] == '1'
			if got := m.match(ua); got != want {
				t.Errorf("%s:%d: match(%q) = %v, isbot says %v", name, i+1, ua, got, want)
			}
			if want {
				bots++
			}
		}
		t.Logf("%s: %d compared, %d bots", name, len(uas), bots)
	}
}

// testIsbot returns the shared isbot matcher.
func testIsbot(tb testing.TB) *isbotMatcher {
	tb.Helper()
	m, err := sharedIsbot()
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// TestJSToRE2 checks the rewrite of JavaScript lookarounds on texts on
// both sides of each condition.
func TestJSToRE2(t *testing.T) {
	tests := []struct {
		pattern string
		yes, no []string
	}{
		{"(?<!cam)scan", []string{"scan", "x scan", "am scan", "camscanscan", "CAscan"}, []string{"camscan", "CAMSCAN", "xcamscan"}},
		{"(?<! cu)bots?(?:\\b|_)", []string{"bot", "cubot", "x bots", "a cu bot", "b_bot_"}, []string{" cubot", "x cubot", "robotic"}},
		{"java(?!;)", []string{"java", "java/1.8", "javascript", "java;java"}, []string{"java;", "JAVA; x"}},
		{"(?<! channel/|google/)google(?!(?:wv|app|/google| pixel))", []string{"google", "googlebot", "google pix", "google wv", "channel/google"},
			[]string{"googleapp", "googlewv", " channel/google", "google/google", "google/googleapp", "google pixel 7"}},
		{"(?:^|[^g])news(?!sapphire)", []string{"news", "x news", "newssapphir"}, []string{"gnews", "newssapphire", "NewsSapphire/1"}},
		{"^mozilla/\\d\\.\\d\\s\\((?:compatible;)?(?:\\s?[\\w\\d-.]+[\\s/]\\d+\\.\\d+)?\\)$",
			[]string{"Mozilla/5.0 (compatible; a-b.c/1.0)", "Mozilla/5.0 ()"}, []string{"Mozilla/5.0 (compatible; a+b/1.0)"}},
	}
	for _, tt := range tests {
		m, err := newIsbotMatcher([]byte(`["` + strings.ReplaceAll(tt.pattern, `\`, `\\`) + `"]`))
		if err != nil {
			t.Fatalf("%s: %v", tt.pattern, err)
		}
		for _, s := range tt.yes {
			if !m.match(s) {
				t.Errorf("%s: %q should match", tt.pattern, s)
			}
		}
		for _, s := range tt.no {
			if m.match(s) {
				t.Errorf("%s: %q should not match", tt.pattern, s)
			}
		}
	}
	for _, bad := range []string{"(?<=a)b", "a(?=b)c", "(?<!a+)b", "a(?!b*)"} {
		if _, err := jsToRE2(bad); err == nil {
			t.Errorf("jsToRE2(%q): want an error", bad)
		}
	}
}

// TestBotRecall measures the bot flag on crawler-user-agents' examples, a
// public list that none of the detectors' data was tuned against here
// (testdata/README.md): at least 99 % must be flagged.
func TestBotRecall(t *testing.T) {
	uas := fileLines(t, "testdata/crawler-user-agents.txt")
	missed := 0
	for _, ua := range uas {
		if bot, _ := uaBot(ua, false); !bot {
			missed++
			t.Logf("missed: %s", ua)
		}
	}
	recall := 1 - float64(missed)/float64(len(uas))
	t.Logf("recall %.2f %% (%d of %d missed)", 100*recall, missed, len(uas))
	if recall < 0.99 {
		t.Errorf("recall %.2f %% is below 99 %%", 100*recall)
	}
}

// TestBotFalsePositives measures the bot flag on the browser strings of
// the shared User-Agent corpus (testdata/README.md says how the rule in
// browsercorpus_test.go picks them): at most 0.1 % may be flagged.
func TestBotFalsePositives(t *testing.T) {
	e := newTestEnricher(t, Config{})
	uas := fileLines(t, browserCorpusPath)
	flagged := 0
	for _, ua := range uas {
		if info := e.UA(ua); info.IsBot {
			flagged++
			t.Errorf("flagged (%s): %s", info.BotReason, ua)
		}
	}
	rate := float64(flagged) / float64(len(uas))
	t.Logf("false positives %.2f %% (%d of %d)", 100*rate, flagged, len(uas))
	if rate > 0.001 {
		t.Errorf("false-positive rate %.2f %% is above 0.1 %%", 100*rate)
	}
}

// TestBotIssueExamples are the misses that issue 22 lists.
func TestBotIssueExamples(t *testing.T) {
	e := newTestEnricher(t, Config{})
	for _, ua := range []string{
		"Mozilla/5.0 (compatible; channable; +https://www.channable.com/)",
		"OpenGraphCheck/2.1 (+https://opengraphcheck.com)",
		"Blackbox Exporter/0.20.0-rc.0",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/134.0.6998.35 Safari/537.36; Devin/1.0; +https://devin.ai",
		"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko; compatible; Google-Agent) Chrome/134.0.0.0 Mobile Safari/537.36",
		"Tumblr/14.0.835.186",
		"Salesforce.com",
	} {
		if info := e.UA(ua); !info.IsBot || info.DeviceType != DeviceBot {
			t.Errorf("not a bot: %q (%+v)", ua, info)
		}
	}
}
