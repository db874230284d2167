package collector

import "testing"

func TestSiteAllows(t *testing.T) {
	s := &Site{
		Hosts:   []string{"example.com", "*.example.com", "localhost"},
		Origins: []string{"https://example.com", "https://*.example.com", "http://localhost:*"},
	}
	for _, tc := range []struct {
		host string
		ok   bool
	}{
		{"example.com", true}, {"EXAMPLE.com", true}, {"www.example.com", true}, {"a.b.example.com", true},
		{"example.com:8443", true}, {"localhost:3000", true},
		{"evilexample.com", false}, {".example.com", false}, {"example.com.evil.net", false}, {"other.org", false},
	} {
		if got := s.AllowsHost(tc.host); got != tc.ok {
			t.Errorf("AllowsHost(%q) = %v, want %v", tc.host, got, tc.ok)
		}
	}
	for _, tc := range []struct {
		origin string
		ok     bool
	}{
		{"https://example.com", true}, {"https://shop.example.com", true}, {"http://localhost:8080", true},
		{"http://example.com", false}, {"https://evilexample.com", false}, {"https://example.com.evil.net", false},
		{"http://localhost:80.evil.net", false}, {"http://localhost:", false}, {"http://localhost", false},
		{"https://x.evil.net/.example.com", false}, {"null", false},
		{"https://.example.com", false}, {"https://example.com.", false}, {"http://localhost:123456", false},
		{"http://localhostx:80", false}, {"http://localhost:8x", false}, {"HTTP://LOCALHOST:3000", true},
	} {
		if got := s.AllowsOrigin(tc.origin); got != tc.ok {
			t.Errorf("AllowsOrigin(%q) = %v, want %v", tc.origin, got, tc.ok)
		}
	}
}

func TestCapabilities(t *testing.T) {
	s := &Site{Purposes: []Purpose{
		{ID: "analytics", Capabilities: []string{"persistent_id"}},
		{ID: "advertising", Capabilities: []string{"audience_export", "click_ids"}},
	}}
	c := s.Capabilities([]string{"advertising", "unknown"})
	if !c.Has(CapAudienceExport|CapClickIDs) || c.Has(CapPersistentID) {
		t.Fatalf("capabilities = %b", c)
	}
	if c&^AdvertisingCaps != 0 {
		t.Fatalf("GPC mask leaves %b", c&^AdvertisingCaps)
	}
}
