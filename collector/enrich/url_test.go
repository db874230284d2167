package enrich

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func keepAll(string) bool { return true }

func keepOnly(names ...string) func(string) bool {
	return func(n string) bool {
		for _, m := range names {
			if n == m {
				return true
			}
		}
		return false
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		keep func(string) bool
		want URLParts
	}{
		{"fragment and query dropped", "https://Example.COM/Path?x=1#frag", nil,
			URLParts{Scheme: "https", Host: "example.com", Hostname: "example.com", Path: "/Path"}},
		{"empty path", "https://example.com", nil,
			URLParts{Scheme: "https", Host: "example.com", Hostname: "example.com", Path: "/"}},
		{"upper-case scheme", "HTTP://example.com/a", nil,
			URLParts{Scheme: "http", Host: "example.com", Hostname: "example.com", Path: "/a"}},
		{"http default port", "http://example.com:80/", nil,
			URLParts{Scheme: "http", Host: "example.com", Hostname: "example.com", Path: "/"}},
		{"https default port", "https://example.com:443/", nil,
			URLParts{Scheme: "https", Host: "example.com", Hostname: "example.com", Path: "/"}},
		{"other port kept", "https://example.com:8443/a", nil,
			URLParts{Scheme: "https", Host: "example.com:8443", Hostname: "example.com", Path: "/a"}},
		{"443 is not http's default", "http://example.com:443/", nil,
			URLParts{Scheme: "http", Host: "example.com:443", Hostname: "example.com", Path: "/"}},
		{"leading zeros in port", "http://localhost:08080/", nil,
			URLParts{Scheme: "http", Host: "localhost:8080", Hostname: "localhost", Path: "/"}},
		{"trailing dot", "https://example.com./", nil,
			URLParts{Scheme: "https", Host: "example.com", Hostname: "example.com", Path: "/"}},
		{"user info dropped", "https://user:secret@example.com/", nil,
			URLParts{Scheme: "https", Host: "example.com", Hostname: "example.com", Path: "/"}},
		{"idn", "https://例え.テスト/", nil,
			URLParts{Scheme: "https", Host: "xn--r8jz45g.xn--zckzah", Hostname: "xn--r8jz45g.xn--zckzah", Path: "/"}},
		{"idn upper case", "https://BÜCHER.example:8080/", nil,
			URLParts{Scheme: "https", Host: "xn--bcher-kva.example:8080", Hostname: "xn--bcher-kva.example", Path: "/"}},
		{"punycode kept", "https://XN--BCHER-KVA.example/", nil,
			URLParts{Scheme: "https", Host: "xn--bcher-kva.example", Hostname: "xn--bcher-kva.example", Path: "/"}},
		{"ipv6", "http://[2001:DB8::1]:8080/x", nil,
			URLParts{Scheme: "http", Host: "[2001:db8::1]:8080", Hostname: "[2001:db8::1]", Path: "/x"}},
		{"ipv4", "http://127.0.0.1:3000/", nil,
			URLParts{Scheme: "http", Host: "127.0.0.1:3000", Hostname: "127.0.0.1", Path: "/"}},
		{"dot segments", "https://example.com/a/./b/../c/", nil,
			URLParts{Scheme: "https", Host: "example.com", Hostname: "example.com", Path: "/a/c/"}},
		{"dot segments above root", "https://example.com/../../a/..", nil,
			URLParts{Scheme: "https", Host: "example.com", Hostname: "example.com", Path: "/"}},
		{"percent-encoding normalised", "https://example.com/%7euser/%2fx/%e3%81%82/%2E%2E/y", nil,
			URLParts{Scheme: "https", Host: "example.com", Hostname: "example.com", Path: "/~user/%2Fx/y"}},
		{"raw unicode path escaped", "https://example.com/日本", nil,
			URLParts{Scheme: "https", Host: "example.com", Hostname: "example.com", Path: "/%E6%97%A5%E6%9C%AC"}},
		{"utm extracted, not kept", "https://example.com/?utm_source=Google&UTM_MEDIUM=cpc&utm_campaign=spring%20sale&utm_term=shoes&utm_content=ad1&utm_source=second", nil,
			URLParts{Scheme: "https", Host: "example.com", Hostname: "example.com", Path: "/",
				UTMSource: "Google", UTMMedium: "cpc", UTMCampaign: "spring sale", UTMTerm: "shoes", UTMContent: "ad1"}},
		{"allowlisted params kept sorted", "https://example.com/s?q=a+b&page=2&zzz=1&utm_source=x&gclid=abc", keepOnly("q", "page", "utm_source"),
			URLParts{Scheme: "https", Host: "example.com", Hostname: "example.com", Path: "/s", Query: "page=2&q=a+b&utm_source=x",
				UTMSource: "x", ClickIDType: "gclid", ClickID: "abc"}},
		{"click id never kept", "https://example.com/?fbclid=F1&a=1", keepAll,
			URLParts{Scheme: "https", Host: "example.com", Hostname: "example.com", Path: "/", Query: "a=1", ClickIDType: "fbclid", ClickID: "F1"}},
		{"click id priority", "https://example.com/?fbclid=F&GCLID=G", keepAll,
			URLParts{Scheme: "https", Host: "example.com", Hostname: "example.com", Path: "/", ClickIDType: "gclid", ClickID: "G"}},
		{"click id canonical case", "https://example.com/?sccid=S&msclkid=", keepAll,
			URLParts{Scheme: "https", Host: "example.com", Hostname: "example.com", Path: "/", ClickIDType: "ScCid", ClickID: "S"}},
		{"personal ids stripped", "https://example.com/?mc_eid=123&_hsenc=x&a=1", keepAll,
			URLParts{Scheme: "https", Host: "example.com", Hostname: "example.com", Path: "/", Query: "a=1"}},
		{"values re-encoded, repeated names in order", "https://example.com/?q=%E6%97%A5&b=2&q=x%26y&flag", keepAll,
			URLParts{Scheme: "https", Host: "example.com", Hostname: "example.com", Path: "/", Query: "b=2&flag=&q=%E6%97%A5&q=x%26y"}},
		{"malformed params dropped", "https://example.com/?%zz=1&a=%zz&=x&b=1", keepAll,
			URLParts{Scheme: "https", Host: "example.com", Hostname: "example.com", Path: "/", Query: "b=1"}},
		{"long utm value cut", "https://example.com/?utm_campaign=" + strings.Repeat("あ", 100), nil,
			URLParts{Scheme: "https", Host: "example.com", Hostname: "example.com", Path: "/", UTMCampaign: strings.Repeat("あ", 85)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseURL(tt.raw, tt.keep)
			if err != nil {
				t.Fatalf("ParseURL(%q) error: %v", tt.raw, err)
			}
			if got != tt.want {
				t.Errorf("ParseURL(%q)\n got %+v\nwant %+v", tt.raw, got, tt.want)
			}
		})
	}
}

func TestParseURLInvalid(t *testing.T) {
	for _, raw := range []string{
		"",
		"   ",
		"not a url",
		"/relative/path",
		"//example.com/protocol-relative",
		"example.com/no-scheme",
		"ftp://example.com/",
		"javascript:alert(1)",
		"mailto:someone@example.com",
		"http:opaque",
		"http://",
		"http:///path",
		"http://exa mple.com/",
		"https://ex!ample.com/",
		"http://example..com/",
		"http://example.com:99999/",
		"http://example.com:0/",
		"http://example.com:port/",
		"http://[::1/",
		"http://[fe80::1%25eth0]/",
		"http://example.com/%zz",
		"http://" + strings.Repeat("a", 64) + ".com/",
	} {
		t.Run(raw, func(t *testing.T) {
			_, err := ParseURL(raw, keepAll)
			if !errors.Is(err, ErrInvalidURL) {
				t.Fatalf("ParseURL(%q) error = %v; want ErrInvalidURL", raw, err)
			}
			if raw != "" && strings.TrimSpace(raw) != "" && strings.Contains(err.Error(), raw) {
				t.Errorf("error %q repeats the URL", err)
			}
		})
	}
}

func FuzzParseURL(f *testing.F) {
	// Seed corpus: the shapes that matter.
	f.Add("https://example.com/")                                       // plain
	f.Add("HTTP://Example.COM:80/a/./b/../c?x=1#frag")                  // case, default port, dots, fragment
	f.Add("https://例え.テスト/パス?q=日本")                                     // IDN and non-ASCII path and query
	f.Add("http://[2001:db8::1]:8080/%7e%2f%41?a=%zz&b=1")              // IPv6, escapes, malformed param
	f.Add("https://example.com/?utm_source=g&gclid=1&fbclid=2&ScCid=3") // UTM and click IDs
	f.Add("https://user:pw@example.com./x/..//y?&&=&q=a+b")             // user info, trailing dot, empty params
	f.Add("javascript:alert(1)")                                        // wrong scheme
	f.Add("http://%41.com/")                                            // escaped host
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := ParseURL(raw, keepAll)
		if err != nil {
			if !errors.Is(err, ErrInvalidURL) {
				t.Fatalf("error %v does not wrap ErrInvalidURL", err)
			}
			return
		}
		if p.Scheme != "http" && p.Scheme != "https" {
			t.Fatalf("scheme %q", p.Scheme)
		}
		if p.Host == "" || p.Host != strings.ToLower(p.Host) || !strings.HasPrefix(p.Host, p.Hostname) {
			t.Fatalf("host %q, hostname %q", p.Host, p.Hostname)
		}
		if !strings.HasPrefix(p.Path, "/") || strings.Contains(p.Path, "#") || strings.Contains(p.Path, "?") {
			t.Fatalf("path %q", p.Path)
		}
		for _, s := range []string{p.UTMSource, p.UTMMedium, p.UTMCampaign, p.UTMTerm, p.UTMContent, p.ClickID} {
			if len(s) > maxParamValue {
				t.Fatalf("value of %d bytes", len(s))
			}
		}
		if !utf8.ValidString(p.Host) || !utf8.ValidString(p.Path) || !utf8.ValidString(p.Query) {
			t.Fatalf("invalid UTF-8 in %+v", p)
		}
		values, err := url.ParseQuery(p.Query)
		if err != nil {
			t.Fatalf("query %q does not parse: %v", p.Query, err)
		}
		for name := range values {
			for _, id := range append(clickIDParams, strippedParams...) {
				if strings.EqualFold(name, id) {
					t.Fatalf("query %q keeps %s", p.Query, name)
				}
			}
		}
		// Normalising is idempotent.
		again := p.Scheme + "://" + p.Host + p.Path
		if p.Query != "" {
			again += "?" + p.Query
		}
		q, err := ParseURL(again, keepAll)
		if err != nil {
			t.Fatalf("normalised URL %q does not parse: %v", again, err)
		}
		if q.Host != p.Host || q.Path != p.Path || q.Query != p.Query {
			t.Fatalf("not idempotent:\n%q →\n%+v\n%+v", raw, p, q)
		}
	})
}
