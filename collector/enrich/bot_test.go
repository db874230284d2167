package enrich

import "testing"

func TestBot(t *testing.T) {
	e := newTestEnricher(t, Config{})
	tests := []struct {
		name       string
		ua         string
		webdriver  bool
		wantBot    bool
		wantReason string
	}{
		{"chrome", uaChromeWindows, false, false, ""},
		{"iphone", uaIPhone, false, false, ""},
		{"googlebot", uaGooglebot, false, true, BotCrawler},
		{"googlebot smartphone", "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.126 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", false, true, BotCrawler},
		{"bingbot", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", false, true, BotCrawler},
		{"curl", "curl/8.5.0", false, true, BotCrawler},
		{"python requests", "python-requests/2.31.0", false, true, BotCrawler},
		{"headless chrome", uaHeadless, false, true, BotHeadless},
		{"headless chrome with webdriver", uaHeadless, true, true, BotHeadless},
		{"phantomjs", "Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1", false, true, BotHeadless},
		{"webdriver flag on normal chrome", uaChromeWindows, true, true, BotWebdriver},
		{"empty", "", false, true, BotEmptyUA},
		{"blank", "   ", false, true, BotEmptyUA},
		// Electron apps are real people (Slack, Teams, VS Code); only the
		// webdriver flag marks Electron automation.
		{"electron app", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Code/1.90.0 Chrome/122.0.6261.156 Electron/29.4.0 Safari/537.36", false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Parsed info, as the collector passes it.
			bot, reason := Bot(tt.ua, e.UA(tt.ua), tt.webdriver)
			if bot != tt.wantBot || reason != tt.wantReason {
				t.Errorf("Bot(parsed) = %v, %q; want %v, %q", bot, reason, tt.wantBot, tt.wantReason)
			}
			// A zero UAInfo makes Bot run the User-Agent checks itself
			// (uap-core's Spider device aside, which needs a parse).
			bot, reason = Bot(tt.ua, UAInfo{}, tt.webdriver)
			if bot != tt.wantBot || reason != tt.wantReason {
				t.Errorf("Bot(zero info) = %v, %q; want %v, %q", bot, reason, tt.wantBot, tt.wantReason)
			}
		})
	}
}

// TestBotDeviceType checks that every bot verdict from a parse shows in
// the device type, and no other.
func TestBotDeviceType(t *testing.T) {
	e := newTestEnricher(t, Config{})
	bots := 0
	for _, ua := range corpus(t)[:300] {
		info := e.UA(ua)
		if info.IsBot != (info.DeviceType == DeviceBot) || info.IsBot != (info.BotReason != "") {
			t.Errorf("inconsistent %+v for %q", info, ua)
		}
		if info.IsBot {
			bots++
		}
	}
	if bots == 0 || bots == 300 {
		t.Errorf("%d of 300 corpus UAs are bots; the corpus has both kinds", bots)
	}
}
