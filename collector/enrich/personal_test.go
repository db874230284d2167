package enrich

import "testing"

func TestPersonalParam(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		want        bool
	}{
		// By value: e-mail addresses, phone numbers, JWTs, random secrets.
		{"contact", "a@b.example", true},
		{"q", "write to someone@example.co.jp please", true},
		{"to", "090-1234-5678", true},
		{"to", "+81 90 1234 5678", true},
		{"to", "(03) 1234-5678", true},
		{"n", "09012345678", true},
		{"x", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", true},
		{"k", "Zx8Qp2LmN4vR7tY1wK9sB3dF6hJ0aC5e", true},
		{"h", "5d41402abc4b2a76b9719d911017c592", true}, // a hash
		// By name, whatever the value.
		{"email", "x", true},
		{"e-mail", "x", true},
		{"userEmail", "x", true},
		{"phone_number", "12", true},
		{"Tel", "1", true},
		{"access_token", "abc", true},
		{"id_token", "abc", true},
		{"api_key", "abc", true},
		{"apiKey", "abc", true},
		{"userPassword", "x", true},
		{"client_secret", "x", true},
		{"PHPSESSID", "x", true},
		{"X-Amz-Signature", "x", true},
		// Ordinary parameters stay.
		{"q", "hello world", false},
		{"tab", "2", false},
		{"ts", "1700000000", false},       // a Unix time, not a phone number
		{"order", "1234567890123", false}, // a bare number that starts with 1
		{"date", "2026-12-05", false},     // 8 digits
		{"utm_campaign", "spring_sale_2026_banner_large_top", false},
		{"hotel", "tokyo", false},                             // "tel" only as a word
		{"mailing", "weekly", false},                          // "mail" only as a word
		{"id", "550e8400-e29b-41d4-a716-446655440000", false}, // a UUID: an object's ID
		{"v", "1.2.3", false},
		{"at", "@home", false},
	} {
		if got := personalParam(tc.name, tc.value); got != tc.want {
			t.Errorf("personalParam(%q, %q) = %v, want %v", tc.name, tc.value, got, tc.want)
		}
	}
}

func TestParseURLStripsPersonalData(t *testing.T) {
	for _, tc := range []struct {
		raw, query, utmTerm string
		keep                func(string) bool
	}{
		{"https://a.example/?email=a%40b.example&tab=1", "tab=1", "", keepAll},
		{"https://a.example/?utm_term=a%40b.example&utm_source=x", "utm_source=x", "", keepAll},
		{"https://a.example/?utm_term=shoes&token=abc&q=x", "q=x&utm_term=shoes", "shoes", keepAll},
		{"https://a.example/?tel=0312345678", "", "", keepOnly("tel")}, // even if a site allowlists it
	} {
		p, err := ParseURL(tc.raw, tc.keep)
		if err != nil || p.Query != tc.query || p.UTMTerm != tc.utmTerm {
			t.Errorf("ParseURL(%q) = query %q utm_term %q (err %v), want %q %q", tc.raw, p.Query, p.UTMTerm, err, tc.query, tc.utmTerm)
		}
	}
}
