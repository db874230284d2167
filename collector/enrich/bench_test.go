package enrich

import (
	"net/netip"
	"testing"

	"github.com/ua-parser/uap-go/uaparser"
	"github.com/x-way/crawlerdetect"
)

func BenchmarkUACachedHit(b *testing.B) {
	e := newTestEnricher(b, Config{})
	e.UA(uaChromeWindows)
	b.Run("one", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := e.UACached(uaChromeWindows); !ok {
				b.Fatal("miss")
			}
		}
	})
	uas := corpus(b)
	for _, ua := range uas {
		e.UA(ua)
	}
	b.Run("corpus", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, ok := e.UACached(uas[i%len(uas)]); !ok {
				b.Fatal("miss")
			}
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, ok := e.UACached(uas[i%len(uas)]); !ok {
					b.Fatal("miss")
				}
				i++
			}
		})
	})
}

// BenchmarkUAColdParse measures a parse of a never-seen User-Agent, over
// the corpus ("corpus") and over the corpus browser strings with a
// " Build/<n>.<seq>" suffix ("build"), the shape of the never-seen strings
// in the load test: ours in full (matcher, bot checks, device type), its
// parts (botexclusions: cutting data/botexclusions' tokens out, which the
// bot checks do first), and the originals (uap-go, crawlerdetect) for comparison.
func BenchmarkUAColdParse(b *testing.B) {
	uas := corpus(b)
	e := newTestEnricher(b, Config{})
	// uap-go with a one-entry cache, so that cycling through the corpus
	// always misses.
	ref, err := uaparser.New(uaparser.WithCacheSize(1))
	if err != nil {
		b.Fatal(err)
	}
	cd := sharedCrawlerMatcher()
	loop := func(b *testing.B, set []string, f func(string)) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			f(set[i%len(set)])
			i++
		}
	}
	for _, set := range []struct {
		name string
		uas  []string
	}{{"corpus", uas}, {"build", buildVariants(uas)}} {
		b.Run(set.name, func(b *testing.B) {
			b.Run("enricher", func(b *testing.B) { loop(b, set.uas, func(s string) { e.parse(s) }) })
			b.Run("matcher", func(b *testing.B) { loop(b, set.uas, func(s string) { e.parser.parse(s) }) })
			b.Run("crawler", func(b *testing.B) { loop(b, set.uas, func(s string) { cd.isCrawler(s) }) })
			b.Run("botexclusions", func(b *testing.B) { loop(b, set.uas, func(s string) { withoutBotExclusions(s) }) })
			b.Run("crawlerdetect", func(b *testing.B) { loop(b, set.uas, func(s string) { crawlerdetect.IsCrawler(s) }) })
			b.Run("uap-go-sequential", func(b *testing.B) {
				loop(b, set.uas, func(s string) {
					ref.ParseUserAgent(s)
					ref.ParseOs(s)
					ref.ParseDevice(s)
				})
			})
			b.Run("uap-go-Parse", func(b *testing.B) { loop(b, set.uas, func(s string) { ref.Parse(s) }) })
		})
	}
}

func BenchmarkParseURL(b *testing.B) {
	keep := keepOnly("utm_source", "utm_medium", "utm_campaign", "q")
	for _, bc := range []struct{ name, url string }{
		{"plain", "https://www.example.com/products/shoes/"},
		{"campaign", "https://www.example.com/products/shoes/?utm_source=google&utm_medium=cpc&utm_campaign=spring&gclid=EAIaIQobChMI&q=red#top"},
		{"idn", "https://例え.テスト/パス/./ページ"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseURL(bc.url, keep); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkReferrer(b *testing.B) {
	for _, bc := range []struct{ name, ref string }{
		{"direct", ""},
		{"search", "https://www.google.co.jp/"},
		{"social", "https://l.facebook.com/l.php?u=https%3A%2F%2Fexample.com"},
		{"internal", "https://shop.example.com/cart"},
		{"other", "https://blog.example.org/2024/01/post"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Referrer(bc.ref, siteHost, "", "", false)
			}
		})
	}
}

func BenchmarkClientIP(b *testing.B) {
	e := newTestEnricher(b, Config{TrustedProxies: []string{"10.0.0.0/8"}})
	peer := netip.MustParseAddr("10.0.0.1")
	b.ReportAllocs()
	for b.Loop() {
		e.ClientIP(peer, "203.0.113.9, 10.0.0.2")
	}
}

func BenchmarkCountry(b *testing.B) {
	e := newTestEnricher(b, Config{GeoIPDB: testCountryDB(b)})
	ip := netip.MustParseAddr("81.2.69.160")
	b.ReportAllocs()
	for b.Loop() {
		if e.Country(ip, nil) != "GB" {
			b.Fatal("wrong country")
		}
	}
}
