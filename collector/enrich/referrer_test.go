package enrich

import (
	"strings"
	"testing"
)

func siteHost(h string) bool { return h == "example.com" || strings.HasSuffix(h, ".example.com") }

func TestReferrer(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		medium  string
		clickID bool
		site    func(string) bool
		want    RefInfo
	}{
		{"google", "https://www.google.com/", "", false, siteHost, RefInfo{Host: "www.google.com", Path: "/", Source: SourceSearch, Name: "Google"}},
		{"google japan with port", "https://www.google.co.jp:443/search?q=x", "", false, siteHost, RefInfo{Host: "www.google.co.jp", Path: "/search", Source: SourceSearch, Name: "Google"}},
		{"google images path rule", "https://www.google.de/imgres?imgurl=x", "", false, siteHost, RefInfo{Host: "www.google.de", Path: "/imgres", Source: SourceSearch, Name: "Google Images"}},
		{"yahoo japan", "https://search.yahoo.co.jp/search?p=x", "", false, siteHost, RefInfo{Host: "search.yahoo.co.jp", Path: "/search", Source: SourceSearch, Name: "Yahoo!"}},
		{"bing", "https://www.bing.com/search?q=x", "", false, siteHost, RefInfo{Host: "www.bing.com", Path: "/search", Source: SourceSearch, Name: "Bing"}},
		{"duckduckgo", "https://duckduckgo.com/", "", false, nil, RefInfo{Host: "duckduckgo.com", Path: "/", Source: SourceSearch, Name: "DuckDuckGo"}},
		{"facebook link shim", "https://l.facebook.com/l.php?u=https%3A%2F%2Fexample.com", "", false, siteHost, RefInfo{Host: "l.facebook.com", Path: "/l.php", Source: SourceSocial, Name: "Facebook"}},
		{"facebook mobile", "https://m.facebook.com/", "", false, siteHost, RefInfo{Host: "m.facebook.com", Path: "/", Source: SourceSocial, Name: "Facebook"}},
		{"twitter t.co", "https://t.co/abc", "", false, siteHost, RefInfo{Host: "t.co", Path: "/abc", Source: SourceSocial, Name: "Twitter"}},
		{"x.com", "https://x.com/someone", "", false, siteHost, RefInfo{Host: "x.com", Path: "/someone", Source: SourceSocial, Name: "X"}},
		{"line", "https://line.me/R/", "", false, siteHost, RefInfo{Host: "line.me", Path: "/R/", Source: SourceSocial, Name: "LINE"}},
		{"gmail", "https://mail.google.com/mail/u/0/", "", false, siteHost, RefInfo{Host: "mail.google.com", Path: "/mail/u/0/", Source: SourceEmail, Name: "Gmail"}},
		{"gmail android app", "android-app://com.google.android.gm/", "", false, siteHost, RefInfo{Host: "mail.google.com", Path: "/", Source: SourceEmail, Name: "Gmail"}},
		{"email medium without referrer", "", "email", false, siteHost, RefInfo{Source: SourceEmail}},
		{"newsletter medium with other referrer", "https://news.example.org/", "Newsletter", false, siteHost, RefInfo{Host: "news.example.org", Path: "/", Source: SourceEmail}},
		{"paid medium", "https://www.google.com/", "cpc", false, siteHost, RefInfo{Host: "www.google.com", Path: "/", Source: SourcePaid, Name: "Google"}},
		{"paid social medium", "https://m.facebook.com/", "paid_social", false, siteHost, RefInfo{Host: "m.facebook.com", Path: "/", Source: SourcePaid, Name: "Facebook"}},
		{"display medium, upper case", "", " Display ", false, siteHost, RefInfo{Source: SourcePaid}},
		{"affiliate medium", "https://blog.example.org/", "affiliate", false, siteHost, RefInfo{Host: "blog.example.org", Path: "/", Source: SourcePaid}},
		{"click id", "https://l.facebook.com/", "", true, siteHost, RefInfo{Host: "l.facebook.com", Path: "/", Source: SourcePaid, Name: "Facebook"}},
		{"click id without referrer", "", "", true, siteHost, RefInfo{Source: SourcePaid}},
		{"google ads click path", "https://www.google.com/aclk?sa=l&ai=x", "", false, siteHost, RefInfo{Host: "www.google.com", Path: "/aclk", Source: SourcePaid, Name: "Google"}},
		{"internal", "https://shop.example.com/cart?id=1", "", false, siteHost, RefInfo{Host: "shop.example.com", Path: "/cart", Source: SourceInternal}},
		{"internal wins over dataset", "https://www.google.com/", "", false, func(h string) bool { return h == "www.google.com" }, RefInfo{Host: "www.google.com", Path: "/", Source: SourceInternal}},
		{"direct", "", "", false, siteHost, RefInfo{Source: SourceDirect}},
		{"direct, blank", "  ", "", false, siteHost, RefInfo{Source: SourceDirect}},
		{"social medium without referrer", "", "social", false, siteHost, RefInfo{Source: SourceSocial}},
		{"other", "https://blog.example.org/post/1", "", false, siteHost, RefInfo{Host: "blog.example.org", Path: "/post/1", Source: SourceOther}},
		{"other, organic medium", "https://blog.example.org/", "organic", false, siteHost, RefInfo{Host: "blog.example.org", Path: "/", Source: SourceSearch}},
		{"unknown app", "android-app://com.example.reader/", "", false, siteHost, RefInfo{Host: "com.example.reader", Path: "/", Source: SourceOther}},
		{"garbage", "http://[::1", "", false, siteHost, RefInfo{Source: SourceOther}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Referrer(tt.raw, tt.site, "", tt.medium, tt.clickID); got != tt.want {
				t.Errorf("Referrer(%q, medium %q, click %v)\n got %+v\nwant %+v", tt.raw, tt.medium, tt.clickID, got, tt.want)
			}
		})
	}
}

// TestReferrerTable classifies the real referrer URLs of
// testdata/referrers.tsv (search engines, social networks, webmail, AI
// assistants, ad clicks, the site itself, and odd inputs), each with the
// landing page whose utm_* and click IDs the collector passes along.
func TestReferrerTable(t *testing.T) {
	rows := 0
	for i, line := range fileLines(t, "testdata/referrers.tsv") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			t.Fatalf("referrers.tsv:%d: want 4 tab-separated fields, got %d", i+1, len(f))
		}
		landing := f[1]
		if landing == "-" {
			landing = "https://example.com/"
		}
		u, err := ParseURL(landing, nil)
		if err != nil {
			t.Fatalf("referrers.tsv:%d: landing page: %v", i+1, err)
		}
		got := Referrer(f[0], siteHost, u.UTMSource, u.UTMMedium, u.ClickID != "")
		if got.Source != f[2] || got.Name != f[3] {
			t.Errorf("referrers.tsv:%d: %q (landing %s) = %s %q, want %s %q", i+1, f[0], landing, got.Source, got.Name, f[2], f[3])
		}
		rows++
	}
	if rows < 200 {
		t.Errorf("%d rows, want at least 200", rows)
	}
	t.Logf("%d referrers classified", rows)
}

// TestExtraReferrersData checks the data file's shape and that its parser
// rejects what the file must not hold.
func TestExtraReferrersData(t *testing.T) {
	list := extraReferrers()
	ai := 0
	for _, e := range list {
		if e.rule.source == SourceAI {
			ai++
		}
	}
	if ai < 10 {
		t.Errorf("%d AI assistants in data/referrers/extra.tsv, want the main ones", ai)
	}
	for _, bad := range []string{"x.com\tsocial\tX", "x.com\tpaid\tX\torigin", "\tsocial\tX\torigin"} {
		if _, err := parseExtraReferrers(bad); err == nil {
			t.Errorf("parseExtraReferrers(%q): want an error", bad)
		}
	}
}
