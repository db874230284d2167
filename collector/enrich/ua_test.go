package enrich

import (
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ua-parser/uap-go/uaparser"
)

// Real User-Agents, from the uap-core corpus unless noted.
const (
	uaChromeWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; Valve Client/default/1769025840) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.183 Safari/537.36"
	uaIPhone        = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) AvastSecureBrowser/5.3.1 Mobile/15E148 Version/17.0 Safari/605.1.15"
	uaIPad          = "Mozilla/5.0 (iPad; CPU OS 12_5_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.0 EdgiOS/46.3.26 Mobile/15E148 Safari/605.1.15"
	uaAndroidPhone  = "Mozilla/5.0 (Linux; Android 12; Pixel 6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.84 Mobile Safari/537.36 Brave/1.40.128"
	uaAndroidTablet = "Mozilla/5.0 (Linux; Android 5.0.2; SAMSUNG SM-T710 Build/LRX22G) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/3.5 Chrome/38.0.2125.102 Safari/537.36"
	uaSmartTV       = "Mozilla/5.0 (SMART-TV; Linux; Smart TV) AppleWebKit/537.36 (KHTML, like Gecko) Thano/3.0 Chrome/143.0.7499.34 Safari/537.36"
	uaHeadless      = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome Safari/537.36"
	// Googlebot's documented desktop string.
	uaGooglebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
	// Firefox's documented macOS string.
	uaFirefoxMac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:128.0) Gecko/20100101 Firefox/128.0"
	// An IE 11 on a Windows 7 laptop with touch ("Tablet PC" is not a tablet).
	uaIETabletPC = "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; Tablet PC 2.0; rv:11.0) like Gecko"
)

func TestUA(t *testing.T) {
	e := newTestEnricher(t, Config{})
	tests := []struct {
		name string
		ua   string
		want UAInfo
	}{
		{"chrome windows", uaChromeWindows, UAInfo{Browser: "Chrome", BrowserVersion: "126.0", OS: "Windows", OSVersion: "10", DeviceType: DeviceDesktop}},
		{"firefox mac", uaFirefoxMac, UAInfo{Browser: "Firefox", BrowserVersion: "128.0", OS: "Mac OS X", OSVersion: "10.15", DeviceType: DeviceDesktop}},
		{"ie tablet pc", uaIETabletPC, UAInfo{Browser: "IE", BrowserVersion: "11.0", OS: "Windows", OSVersion: "7", DeviceType: DeviceDesktop}},
		{"iphone", uaIPhone, UAInfo{Browser: "Avast Secure Browser", BrowserVersion: "5.3", OS: "iOS", OSVersion: "17.2", DeviceType: DeviceMobile}},
		{"ipad", uaIPad, UAInfo{Browser: "Edge Mobile", BrowserVersion: "46.3", OS: "iOS", OSVersion: "12.5", DeviceType: DeviceTablet}},
		{"android phone", uaAndroidPhone, UAInfo{Browser: "Brave", BrowserVersion: "1.40", OS: "Android", OSVersion: "12", DeviceType: DeviceMobile}},
		{"android tablet", uaAndroidTablet, UAInfo{Browser: "Samsung Internet", BrowserVersion: "3.5", OS: "Android", OSVersion: "5.0", DeviceType: DeviceTablet}},
		{"smart tv", uaSmartTV, UAInfo{Browser: "Chrome", BrowserVersion: "143.0", OS: "Linux", DeviceType: DeviceOther}},
		{"googlebot", uaGooglebot, UAInfo{Browser: "Googlebot", BrowserVersion: "2.1", OS: "Other", DeviceType: DeviceBot, IsBot: true, BotReason: BotCrawler}},
		{"headless", uaHeadless, UAInfo{Browser: "HeadlessChrome", OS: "Linux", DeviceType: DeviceBot, IsBot: true, BotReason: BotHeadless}},
		{"curl", "curl/8.5.0", UAInfo{Browser: "curl", BrowserVersion: "8.5", OS: "Other", DeviceType: DeviceBot, IsBot: true, BotReason: BotCrawler}},
		{"empty", "", UAInfo{Browser: "Other", OS: "Other", DeviceType: DeviceBot, IsBot: true, BotReason: BotEmptyUA}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.UA(tt.ua); got != tt.want {
				t.Errorf("UA() = %+v\nwant %+v", got, tt.want)
			}
			// Now cached: UACached agrees.
			if got, ok := e.UACached(tt.ua); !ok || got != tt.want {
				t.Errorf("UACached() = %+v, %v; want the parsed value, true", got, ok)
			}
		})
	}
}

// TestMatcherSameAsUAPGo checks that the prefiltered matcher gives exactly
// what uap-go's own parser gives, over the corpus sample and its Build/
// variants.
func TestMatcherSameAsUAPGo(t *testing.T) {
	uas := corpus(t)
	step := 1
	switch {
	case raceEnabled:
		step = 20 // the uap-go side costs ~1.3 ms per UA, ten times that under -race
	case testing.Short():
		step = 7
	}
	m, err := newUAMatcher()
	if err != nil {
		t.Fatal(err)
	}
	ref, err := uaparser.New(uaparser.WithCacheSize(1))
	if err != nil {
		t.Fatal(err)
	}
	// Strings with non-ASCII bytes skip the prefilter; include a few that
	// exercise case folding too.
	// The Build/ variant of each is a never-seen User-Agent of the load
	// test's kind.
	for i, ua := range uas[:len(uas):len(uas)] {
		uas = append(uas, buildVariant(ua, i))
	}
	uas = append(uas, "Mozilla/5.0 (compatible; ſpider/1.0)", "Ünicode Browser/1.0 (Windows NT 10.0)", "GOOGLEBOT/2.1")
	n := 0
	for i, ua := range uas {
		if i%step != 0 && i < len(uas)-3 {
			continue
		}
		n++
		got := m.parse(ua)
		want := uaParsed{UA: *ref.ParseUserAgent(ua), OS: *ref.ParseOs(ua), Device: *ref.ParseDevice(ua)}
		if got != want {
			t.Errorf("parse(%q)\n got %+v\nwant %+v", ua, got, want)
		}
	}
	t.Logf("compared %d User-Agents", n)
}

func TestUACachedBackground(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newTestEnricher(t, Config{UAWorkers: 2})
		if _, ok := e.UACached(uaFirefoxMac); ok {
			t.Fatal("first UACached hit an empty cache")
		}
		// A second miss before the parse finishes is not queued again.
		e.UACached(uaFirefoxMac)
		time.Sleep(parseGather) // the workers' gather window
		synctest.Wait()         // the workers have parsed and gone idle
		got, ok := e.UACached(uaFirefoxMac)
		if !ok || got.Browser != "Firefox" || got.DeviceType != DeviceDesktop {
			t.Fatalf("UACached after background parse = %+v, %v", got, ok)
		}
		st := e.Stats()
		if st.UAQueued != 1 || st.UAParsed != 1 || st.UAMisses < 1 || st.UAMisses > 2 {
			t.Errorf("stats = %+v; want 1 queued, 1 parsed, 1-2 misses", st)
		}
	})
}

// Never-seen User-Agents are parsed together after a short gather window,
// and still well within the time the writer waits for them (UAResolveWait).
func TestUAByKeyWithinResolveWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newTestEnricher(t, Config{UAWorkers: 1})
		start := time.Now()
		uas := []string{uaFirefoxMac, uaChromeWindows}
		for _, ua := range uas {
			if _, ok := e.UACached(ua); ok {
				t.Fatalf("%q was cached before its first sight", ua)
			}
		}
		for _, ua := range uas {
			info, ok := e.UAByKey(e.UAKey(ua), UAResolveWait)
			if !ok || info.DeviceType != DeviceDesktop {
				t.Fatalf("UAByKey(%q) = %+v, %v; want the parse", ua, info, ok)
			}
		}
		if d := time.Since(start); d < parseGather || d >= UAResolveWait {
			t.Errorf("resolved after %v; want the gather window (%v), under the writer's wait (%v)", d, parseGather, UAResolveWait)
		}
		if st := e.Stats(); st.UAParsed != 2 {
			t.Errorf("%d parses, want 2", st.UAParsed)
		}
	})
}

func TestUACachedQueueFull(t *testing.T) {
	e := newTestEnricher(t, Config{UAQueueSize: 2, UAWorkers: 1})
	// After Close no worker drains the queue, but UACached keeps working:
	// the first two misses are queued, the rest are parsed on the spot so
	// that no parse is ever lost.
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		ua := fmt.Sprintf("Mozilla/5.0 (X11; Linux x86_64; rv:12%d.0) Gecko/20100101 Firefox/12%d.0", i, i)
		info, ok := e.UACached(ua)
		if i < 2 && ok {
			t.Fatalf("miss %d with room in the queue answered at once", i)
		}
		if i >= 2 && (!ok || info.Browser != "Firefox") {
			t.Fatalf("miss %d with a full queue: ok=%v %+v, want a synchronous parse", i, ok, info)
		}
	}
	if st := e.Stats(); st.UAQueued != 2 || st.UADropped != 3 || st.UAQueueDepth != 2 || st.UAMisses != 5 {
		t.Errorf("stats = %+v; want 5 misses, 2 queued, 3 parsed in place, depth 2", st)
	}
}

func TestUACachedHitDoesNotAllocate(t *testing.T) {
	e := newTestEnricher(t, Config{})
	e.UA(uaChromeWindows)
	allocs := testing.AllocsPerRun(1000, func() {
		if _, ok := e.UACached(uaChromeWindows); !ok {
			t.Fatal("miss")
		}
	})
	if allocs != 0 {
		t.Errorf("UACached hit allocates %v times", allocs)
	}
}

func TestUACacheBounded(t *testing.T) {
	for _, size := range []int{2, 10, 100, 5000} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			c := newUACache(size)
			for i := range 3 * size {
				c.put(c.hash(fmt.Sprint(i)), UAInfo{Browser: fmt.Sprint(i)})
			}
			if n := c.len(); n > size || n < size/4 {
				t.Errorf("len = %d after %d inserts; want in [%d, %d]", n, 3*size, size/4, size)
			}
			// The newest entry is always there, with its own value.
			h := c.hash(fmt.Sprint(3*size - 1))
			if v, ok := c.get(h); !ok || v.Browser != fmt.Sprint(3*size-1) {
				t.Errorf("newest entry = %+v, %v", v, ok)
			}
		})
	}
}

func TestUACacheKeepsUsedEntries(t *testing.T) {
	c := newUACache(64) // 2 shards of 16 per generation at most
	hot := c.hash("hot")
	c.put(hot, UAInfo{Browser: "hot"})
	for i := range 10_000 {
		c.put(c.hash(fmt.Sprint(i)), UAInfo{})
		if _, ok := c.get(hot); !ok {
			t.Fatalf("hot entry evicted after %d inserts", i)
		}
	}
}

func TestUAConcurrent(t *testing.T) {
	e := newTestEnricher(t, Config{UACacheSize: 50, UAWorkers: 2})
	uas := corpus(t)[:40]
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				ua := uas[(i*7+g)%len(uas)]
				if info, ok := e.UACached(ua); ok && info.DeviceType == "" {
					t.Error("cached UAInfo without a device type")
				}
				if i%50 == 0 {
					e.UA(ua)
				}
			}
		}()
	}
	wg.Wait()
}
