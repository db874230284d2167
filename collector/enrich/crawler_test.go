package enrich

import (
	"strings"
	"testing"

	"github.com/x-way/crawlerdetect"
)

// TestCrawlerSameAsCrawlerdetect checks that crawlerMatcher gives
// crawlerdetect.IsCrawler's answer on every User-Agent at hand.
func TestCrawlerSameAsCrawlerdetect(t *testing.T) {
	m, err := newCrawlerMatcher(crawlerdetect.New())
	if err != nil {
		t.Fatal(err)
	}
	if sharedCrawlerMatcher().index == nil {
		t.Fatal("the shared matcher fell back to crawlerdetect")
	}
	step := 1
	switch {
	case raceEnabled:
		step = 50
	case testing.Short():
		step = 10
	}
	total, crawlers := 0, 0
	for name, uas := range equivInputs(t, step, 20) {
		n, yes := 0, 0
		for _, ua := range uas {
			want := crawlerdetect.IsCrawler(ua)
			if got := m.isCrawler(ua); got != want {
				t.Errorf("%s: isCrawler(%q) = %v, crawlerdetect says %v", name, ua, got, want)
			}
			n++
			if want {
				yes++
			}
		}
		t.Logf("%s: %d compared, %d crawlers", name, n, yes)
		total += n
		crawlers += yes
	}
	t.Logf("total: %d compared, %d crawlers", total, crawlers)
}

// TestCrawlerEdgeCases compares inputs chosen to stress the exclusion step
// (text that becomes a crawler token once an exclusion is cut out of it),
// case folding, non-ASCII bytes and surrounding space.
func TestCrawlerEdgeCases(t *testing.T) {
	m := sharedCrawlerMatcher()
	for _, ua := range []string{
		"", " ", "bot", "  Googlebot/2.1  ", "GOOGLEBOT", "b0t", "b0tSafari/1.0",
		"boSafari/537.36t", "crawLinuxler", "spiUbuntuder", "Mozilla/5.0 (compatible; ſpider)",
		"Mozilla/5.0 (Linux; Android 10; M bot 60 Build/QP1A) AppleWebKit/537.36",
		"Mozilla/5.0 (Linux; Android 9; cubot) Chrome/90.0 Mobile Safari/537.36",
		"curl/8.5.0", "Ünicode Browser/1.0", "python-requests/2.31.0 Build/1.2",
		"Opera Mini/12.34.56/78.90 bot", "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome",
		"\tJava/1.8\t", "Java/1.8", "x Java/1.8", "YandexSearch/1.0", "YandexBot/3.0",
		// Longer than maxUALen (Bot checks raw strings), and with more
		// exclusion places than exclusionRemover tries.
		strings.Repeat("Mozilla/5.0 (X11; Linux x86_64) ", 60) + "bot",
		strings.Repeat("Safari/1.0 ", 200) + "b" + strings.Repeat("Safari/1.0 ", 200) + "ot",
		"b" + strings.Repeat("Linux", 200) + "ot", "b" + strings.Repeat("Linux", 50) + "ot",
	} {
		if got, want := m.isCrawler(ua), crawlerdetect.IsCrawler(ua); got != want {
			t.Errorf("isCrawler(%q) = %v, crawlerdetect says %v", ua, got, want)
		}
	}
}

// FuzzCrawlerSameAsCrawlerdetect compares crawlerMatcher with
// crawlerdetect on arbitrary strings, seeded with the test corpus and its
// Build/ variants.
func FuzzCrawlerSameAsCrawlerdetect(f *testing.F) {
	for i, ua := range corpus(f) {
		f.Add(ua)
		f.Add(buildVariant(ua, i))
	}
	f.Add("boSafari/537.36t")
	m := sharedCrawlerMatcher()
	f.Fuzz(func(t *testing.T, ua string) {
		if got, want := m.isCrawler(ua), crawlerdetect.IsCrawler(ua); got != want {
			t.Errorf("isCrawler(%q) = %v, crawlerdetect says %v", ua, got, want)
		}
	})
}

// TestExclusionRemoverQualifies checks that crawlerdetect's exclusions
// take the fast path, and that both paths agree with its replacement.
func TestExclusionRemoverQualifies(t *testing.T) {
	m := sharedCrawlerMatcher()
	if m.excl == nil {
		t.Fatal("crawlerdetect's exclusions do not qualify for exclusionRemover")
	}
	for i, ua := range corpus(t) {
		for _, s := range []string{ua, buildVariant(ua, i)} {
			s = strings.TrimSpace(s)
			if !isASCII(s) {
				continue
			}
			want := m.exclAll.ReplaceAllString(s, "")
			if got := m.excl.remove(s, asciiLowerInto(nil, s)); got != want {
				t.Errorf("remove(%q) = %q, want %q", s, got, want)
			}
		}
	}
}

// FuzzExclusionRemover compares exclusionRemover with crawlerdetect's
// exclusion replacement on arbitrary ASCII strings.
func FuzzExclusionRemover(f *testing.F) {
	for i, ua := range corpus(f) {
		f.Add(ua)
		f.Add(buildVariant(ua, i))
	}
	f.Add("boSafari/537.36t")
	m := sharedCrawlerMatcher()
	f.Fuzz(func(t *testing.T, s string) {
		if !isASCII(s) {
			return
		}
		want := m.exclAll.ReplaceAllString(s, "")
		if got := m.excl.remove(s, asciiLowerInto(nil, s)); got != want {
			t.Errorf("remove(%q) = %q, want %q", s, got, want)
		}
	})
}
