package enrich

import (
	"net/url"
	"testing"
)

// splitCases seed the fuzz target: the first two are the common shapes the
// fast path must take, then the edges of what it takes, then shapes it
// must leave to net/url.
var splitCases = []string{
	// the bench's page URL and the common referrer
	"http://localhost/products/123?utm_source=news&utm_medium=email&utm_campaign=spring",
	"https://www.google.com/",
	// taken: ports, sub-delimiters in the path, escapes in the query, hash routes
	"https://shop.example:8443/a/b;c=d/e@f:g?q=%E5%95%86+x&y=1#/route/3",
	"https://Shop.Example/Cart#!/item/3?x=1",
	"https://example.com",
	"https://example.com?x",
	"https://example.com#top",
	"http://example.com/'()*!$&+,;=:@~_.-",
	"http://example.com/#'()*!$&+,;=:@~_.-/?",
	"http://example.com/a/../b/./c",
	// left to net/url: escapes or spaces in the path, control characters,
	// non-ASCII, user info, IPv6 literals, odd ports, other schemes
	"https://example.com/a%20b",
	"https://example.com/a b",
	"https://example.com/a?b c",
	"https://example.com/a?b\x7f",
	"https://example.com/\xe5\x95\x86",
	"https://user:pw@example.com/",
	"https://[2001:db8::1]:443/x",
	"https://example.com:/x",
	"https://example.com:80x/",
	"https://example.com:99999999999999999999/",
	"HTTP://example.com/",
	"http:///path",
	"http://example.com/a#b#c",
	"android-app://com.google.android.gm/",
	"mailto:someone@example.com",
	"//example.com/",
	"",
}

// TestSplitURLMatchesNetURL: whenever the fast path takes a URL apart, the
// parts are those of net/url, and the common page and referrer URLs take it.
func TestSplitURLMatchesNetURL(t *testing.T) {
	fast := 0
	for _, raw := range splitCases {
		if checkSplit(t, raw) {
			fast++
		}
	}
	if fast < 8 {
		t.Errorf("the fast path took only %d of the URLs", fast)
	}
	for _, raw := range splitCases[:2] {
		if _, ok := splitURL(raw); !ok {
			t.Errorf("the fast path refuses %q", raw)
		}
	}
}

func checkSplit(t *testing.T, raw string) bool {
	t.Helper()
	got, ok := splitURL(raw)
	if !ok {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Errorf("fast path took %q, net/url: %v", raw, err)
		return true
	}
	want := urlSplit{scheme: u.Scheme, opaque: u.Opaque, authority: u.Host, host: u.Hostname(), port: u.Port(),
		path: u.EscapedPath(), query: u.RawQuery, fragment: u.EscapedFragment()}
	if got != want {
		t.Errorf("%q: fast %+v, net/url %+v", raw, got, want)
	}
	return true
}

func FuzzSplitURL(f *testing.F) {
	for _, c := range splitCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, raw string) { checkSplit(t, raw) })
}
