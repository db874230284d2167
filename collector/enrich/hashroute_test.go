package enrich

import "testing"

func TestParseURLHashRoutes(t *testing.T) {
	for _, tc := range []struct {
		raw, path, query string
		keep             func(string) bool
	}{
		{"https://a.example/app#/settings", "/app#/settings", "", keepAll},
		{"https://a.example/app#!/item/3", "/app#!/item/3", "", keepAll},
		{"https://a.example/doc#top", "/doc", "", keepAll},
		{"https://a.example/doc#top?x=1", "/doc", "", keepAll}, // an anchor's "query" is not one
		{"https://a.example/doc#", "/doc", "", keepAll},
		{"https://a.example/#/a/../b", "/#/b", "", keepAll},
		// A route's query is kept as the site keeps queries, merged with the page's.
		{"https://a.example/app#/r2?tab=1", "/app#/r2", "tab=1", keepAll},
		{"https://a.example/app?b=2#/r2?tab=1&a=0", "/app#/r2", "a=0&b=2&tab=1", keepAll},
		{"https://a.example/app#/r2?tab=1&ref=menu", "/app#/r2", "ref=menu", keepOnly("ref")},
		{"https://a.example/app#/search?q=secret", "/app#/search", "", nil},
		{"https://a.example/app#/r?email=a%40b.example&tab=1", "/app#/r", "tab=1", keepAll},
	} {
		p, err := ParseURL(tc.raw, tc.keep)
		if err != nil || p.Path != tc.path || p.Query != tc.query {
			t.Errorf("ParseURL(%q) = path %q query %q (err %v), want %q %q", tc.raw, p.Path, p.Query, err, tc.path, tc.query)
		}
	}
	p, _ := ParseURL("https://a.example/app#/r?utm_source=news", nil)
	if p.UTMSource != "news" {
		t.Errorf("a route's UTM parameters are read: %+v", p)
	}
}
