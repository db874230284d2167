package enrich

import "strings"

// Bot reasons.
const (
	BotEmptyUA   = "empty_ua"  // no User-Agent at all
	BotHeadless  = "headless"  // a headless or scripted browser
	BotCrawler   = "crawler"   // a known crawler, tool or library
	BotWebdriver = "webdriver" // the SDK saw navigator.webdriver
)

// headlessMarkers are User-Agent tokens of headless and scripted browsers.
// Electron is deliberately absent: Slack, Teams, VS Code and many other
// desktop apps that real people use are Electron, and so would be counted
// as bots; Electron-based automation (Nightmare, Playwright's electron)
// usually also sets navigator.webdriver.
var headlessMarkers = []string{
	"HeadlessChrome", // Chrome's old headless mode: Puppeteer, Playwright
	"Headless",       // other Chromium headless shells (HeadlessEdg, ...)
	"PhantomJS",
	"SlimerJS",
	"jsdom/",
	"Cypress/",
}

// Bot reports whether a hit comes from a bot and why: the User-Agent is
// empty, names a headless browser, or is a crawler (the uap-core "Spider"
// device, the patterns of the isbot package or the Crawler-Detect
// dataset, which see the string without the tokens of
// data/botexclusions), or the SDK reported
// navigator.webdriver. info should come from UA or UACached, which run the
// User-Agent checks once per distinct string; a zero UAInfo (not parsed)
// makes Bot run them itself, which costs a few microseconds.
func Bot(ua string, info UAInfo, webdriver bool) (bool, string) {
	if info.DeviceType == "" {
		info.IsBot, info.BotReason = uaBot(ua, false)
	}
	switch {
	case info.IsBot:
		return true, info.BotReason
	case webdriver:
		return true, BotWebdriver
	}
	return false, ""
}

// uaBot is the part of Bot that depends on the User-Agent alone. spider is
// uap-core's verdict.
func uaBot(ua string, spider bool) (bool, string) {
	if strings.TrimSpace(ua) == "" {
		return true, BotEmptyUA
	}
	for _, m := range headlessMarkers {
		if strings.Contains(ua, m) {
			return true, BotHeadless
		}
	}
	if spider {
		return true, BotCrawler
	}
	// The tokens of browsers and apps that people use (data/botexclusions)
	// are cut out before the crawler patterns see the string.
	s := withoutBotExclusions(ua)
	isbot, _ := sharedIsbot() // New checked the error
	if isbot.match(s) || sharedCrawlerMatcher().isCrawler(s) {
		return true, BotCrawler
	}
	return false, ""
}
