package enrich

import "testing"

// TestBotIssueBrowsers are the real browsers and in-app browsers that the
// bot flag marked before data/botexclusions: none may be flagged, and each
// stays a bot once it also carries a crawler's token, since the exclusions
// cut out only their own tokens.
func TestBotIssueBrowsers(t *testing.T) {
	e := newTestEnricher(t, Config{})
	for _, ua := range issueBrowsers {
		if withoutBotExclusions(ua) == ua {
			t.Errorf("no exclusion applies to %q", ua)
		}
		if info := e.UA(ua); info.IsBot {
			t.Errorf("flagged (%s): %s", info.BotReason, ua)
		}
		for _, tok := range []string{" (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", " Slackbot-LinkExpanding 1.0", " PhantomJS/2.1.1"} {
			if bot, _ := uaBot(ua+tok, false); !bot {
				t.Errorf("not a bot with %q: %s", tok, ua)
			}
		}
	}
}

// TestBotExclusionsUsed checks the exclusion data: it compiles, every entry
// has a reason and cuts a token out of at least one string of the browser
// corpus (no dead entries), and none touches a string of the held-out
// crawler list.
func TestBotExclusionsUsed(t *testing.T) {
	pats, err := parseBotExclusions(botExclusionData)
	if err != nil {
		t.Fatal(err)
	}
	x, err := sharedBotExclusions()
	if err != nil {
		t.Fatal(err)
	}
	browsers := fileLines(t, browserCorpusPath)
	for i, p := range pats {
		used := false
		for _, ua := range browsers {
			if matchesAnywhere(x, i, ua) {
				used = true
				break
			}
		}
		if !used {
			t.Errorf("exclusion %q matches no string of %s", p, browserCorpusPath)
		}
	}
	for _, ua := range fileLines(t, "testdata/crawler-user-agents.txt") {
		if s := withoutBotExclusions(ua); s != ua {
			t.Errorf("exclusions change a crawler's string: %q → %q", ua, s)
		}
	}
}

// matchesAnywhere reports whether exclusion i matches somewhere in ua.
func matchesAnywhere(x *exclusionRemover, i int, ua string) bool {
	for j := range ua {
		if x.anchored[i].MatchString(ua[j:]) {
			return true
		}
	}
	return false
}

// TestBotExclusionsBadData checks that malformed exclusion data is refused.
func TestBotExclusionsBadData(t *testing.T) {
	for _, data := range []string{
		"# only a comment\n",
		"Slack/\n",       // no reason
		"Slack/\t \n",    // empty reason
		"\tno pattern\n", // no pattern
	} {
		if _, err := parseBotExclusions(data); err == nil {
			t.Errorf("parseBotExclusions(%q): want an error", data)
		}
	}
	for _, pat := range []string{"^Slack/", `Slack\b`, "[a-z]*", "(?i)x"} {
		if _, err := newExclusionRemover([]string{pat}); err == nil {
			t.Errorf("newExclusionRemover(%q): want an error", pat)
		}
	}
}

// issueBrowsers are the strings of TestBotIssueBrowsers: the examples of
// issue 22 and one ICEbrowser string.
var issueBrowsers = []string{
	"Mozilla/5.0 (1897MB; 576x1158; 215x215; 384x772; ZTE Z2466; 14) AppleWebKit/537.36 (KHTML, like Gecko) ROBLOX Android App 2.708.880 Phone Hybrid() GooglePlayStore RobloxApp/2.708.880 (GlobalDist; GooglePlayStore)",
	"Mozilla/5.0 (Linux; x86_64) LibWeb+LibJS/1.0 Ladybird/1.0",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_6) AppleWebKit/537.36 (KHTML, like Gecko) Slack/2.6.0-beta18998559 Chrome/56.0.2924.87 AtomShell/1.6.3 Safari/537.36 Slack_SSB/2.6.0",
	"Mozilla/5.0 (LG-T500 AppleWebkit/531 Browser/Phantom/V2.0 Widget/LGMW/3.0 MMS/LG-MMS-V1.0/1.2 Java/ASVM/1.1 Profile/MIDP-2.1 Configuration/CLDC-1.1)",
	"Mozilla/5.0 (SAMSUNG; SAMSUNG-GT-S8500/S8500XXJEE; U; Bada/1.0; nl-nl) AppleWebKit/533.1 (KHTML, like Gecko) Dolfin/2.0 Mobile WVGA SMM-MMS/1.2.0 OPN-B",
	"Mozilla/5.0 (Vodafone/1.0/LG-KC910/V08h Browser/Teleca-Q7.1 MMS/LG-MMS-V1.0/1.2 MediaPlayer/LGPlayer/1.0 Java/ASVM/1.1 Profile/MIDP-2.1 Configuration/CLDC-1.1)",
	"Mozilla/5.0 (Windows; U; Windows NT 6.1; en-US; rv:1.9.3a1) Gecko/20100208 MozillaDeveloperPreview/3.7a1 (.NET CLR 3.5.30729)",
	"Mozilla/5.0 (iPad; CPU OS 12_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 TopBuzz com.alex.NewsMaster/8.2.1 (iPad; iOS 12.3.1; en; WIFI)",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 10_0_2 like Mac OS X) AppleWebKit/602.1.50 (KHTML, like Gecko) AppleNews/608.0.1 Version/2.0.1",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 9_3_4 like Mac OS X) AppleWebKit/601.1 (KHTML, like Gecko) Outlook-iOS-Android/1.0 Mobile/13G35 Safari/601.1.46",
	"Mozilla/5.0 (iPhone; CPU OS 10_2_1 like Mac OS X) AppleWebKit/600.1.4 (KHTML, like Gecko) 1Password/6.4.5 (like Version/10.2.1 Mobile/14D27 Safari/600.1.4)",
	"Mozilla/5.0 (Java 1.4.2_05; Windows XP 5.1 x86; en) ICEbrowser/v5_2",
}
