package enrich

import (
	"bytes"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

func TestClientIP(t *testing.T) {
	e := newTestEnricher(t, Config{TrustedProxies: []string{"10.0.0.0/8", "2001:db8:1::/48", "127.0.0.1"}})
	tests := []struct {
		name, remote, xff, want string
	}{
		{"no proxy", "198.51.100.7", "", "198.51.100.7"},
		{"spoofed xff from untrusted peer", "198.51.100.7", "1.2.3.4", "198.51.100.7"},
		{"trusted proxy", "10.0.0.1", "1.2.3.4", "1.2.3.4"},
		{"chain of trusted proxies", "10.0.0.1", "1.2.3.4, 10.0.0.2", "1.2.3.4"},
		{"client-forged left entries ignored", "10.0.0.1", "6.6.6.6, 1.2.3.4, 10.0.0.2", "1.2.3.4"},
		{"all hops trusted", "10.0.0.1", "10.0.0.3, 10.0.0.2", "10.0.0.3"},
		{"garbage stops at last trusted hop", "10.0.0.1", "1.2.3.4, garbage, 10.0.0.2", "10.0.0.2"},
		{"unknown entry", "127.0.0.1", "unknown", "127.0.0.1"},
		{"empty entries and spaces", "10.0.0.1", "  , 1.2.3.4 ,,", "1.2.3.4"},
		{"peer with port", "10.0.0.1:5555", "1.2.3.4", "1.2.3.4"},
		{"xff entry with port", "10.0.0.1", "1.2.3.4:8080", "1.2.3.4"},
		{"ipv6 xff entry with port", "10.0.0.1", "[2001:db8::5]:443", "2001:db8::5"},
		{"ipv6 bracketed", "10.0.0.1", "[2001:db8::5]", "2001:db8::5"},
		{"ipv6 trusted peer", "2001:db8:1::9", "2001:db8:2::1", "2001:db8:2::1"},
		{"ipv6 untrusted peer", "2001:db8:2::9", "1.2.3.4", "2001:db8:2::9"},
		{"ipv6 canonical form", "2001:DB8:0:0::7", "", "2001:db8::7"},
		{"ipv4-mapped peer is trusted", "::ffff:10.0.0.1", "1.2.3.4", "1.2.3.4"},
		{"ipv4-mapped client unmapped", "10.0.0.1", "::ffff:1.2.3.4", "1.2.3.4"},
		{"zone dropped", "fe80::1%eth0", "", "fe80::1"},
		{"bad peer", "", "1.2.3.4", ""},
		{"bad peer text", "not-an-ip", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := text(e.ClientIP(addr(tt.remote), tt.xff)); got != tt.want {
				t.Errorf("ClientIP(%q, %q) = %q; want %q", tt.remote, tt.xff, got, tt.want)
			}
		})
	}
}

func TestClientIPNoTrustedProxies(t *testing.T) {
	e := newTestEnricher(t, Config{})
	if got := text(e.ClientIP(addr("127.0.0.1"), "1.2.3.4")); got != "127.0.0.1" {
		t.Errorf("ClientIP without trusted proxies = %q; want the peer", got)
	}
}

// writeCountryDB writes a small MaxMind-format country database and
// returns its path.
func writeCountryDB(tb testing.TB, records map[string]mmdbtype.Map) string {
	tb.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "Test-Country", RecordSize: 24})
	if err != nil {
		tb.Fatal(err)
	}
	for cidr, rec := range records {
		_, network, err := net.ParseCIDR(cidr)
		if err != nil {
			tb.Fatal(err)
		}
		if err := tree.Insert(network, rec); err != nil {
			tb.Fatalf("insert %s: %v", cidr, err)
		}
	}
	path := filepath.Join(tb.TempDir(), "country.mmdb")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

func country(iso string) mmdbtype.Map {
	return mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String(iso)}}
}

func testCountryDB(tb testing.TB) string {
	return writeCountryDB(tb, map[string]mmdbtype.Map{
		"81.2.69.0/24":  country("GB"),
		"1.0.16.0/20":   country("JP"),
		"2001:240::/32": country("JP"),
		"5.6.7.0/24":    {"registered_country": mmdbtype.Map{"iso_code": mmdbtype.String("DE")}},
		"9.9.9.0/24":    country("zz"),
	})
}

func headers(h map[string]string) func(string) string {
	return func(name string) string { return h[name] }
}

func TestCountry(t *testing.T) {
	db := testCountryDB(t)
	withDB := newTestEnricher(t, Config{GeoIPDB: db})
	withHeaders := newTestEnricher(t, Config{GeoIPDB: db, TrustCountryHeaders: true})
	customHeader := newTestEnricher(t, Config{TrustCountryHeaders: true, CountryHeaders: []string{"X-Geo"}})
	none := newTestEnricher(t, Config{})
	tests := []struct {
		name    string
		e       *Enricher
		ip      string
		headers map[string]string
		want    string
	}{
		{"db ipv4", withDB, "81.2.69.160", nil, "GB"},
		{"db ipv6", withDB, "2001:240::1", nil, "JP"},
		{"db ipv4-mapped ipv6", withDB, "::ffff:1.0.16.1", nil, "JP"},
		{"db registered country fallback", withDB, "5.6.7.8", nil, "DE"},
		{"db placeholder code", withDB, "9.9.9.9", nil, ""},
		{"db unknown network", withDB, "8.8.8.8", nil, ""},
		{"private address", withDB, "10.1.2.3", nil, ""},
		{"loopback", withDB, "127.0.0.1", nil, ""},
		{"not an address", withDB, "nope", nil, ""},
		{"untrusted header ignored", withDB, "81.2.69.160", map[string]string{"CF-IPCountry": "JP"}, "GB"},
		{"trusted header wins over db", withHeaders, "81.2.69.160", map[string]string{"CF-IPCountry": "jp"}, "JP"},
		{"header order", withHeaders, "", map[string]string{"X-Country-Code": "FR", "CloudFront-Viewer-Country": "US"}, "US"},
		{"unknown and tor placeholders skipped", withHeaders, "", map[string]string{"CF-IPCountry": "XX", "CloudFront-Viewer-Country": "T1", "X-Vercel-IP-Country": " de "}, "DE"},
		{"bad header value falls back to db", withHeaders, "81.2.69.160", map[string]string{"CF-IPCountry": "Japan"}, "GB"},
		{"custom header", customHeader, "", map[string]string{"X-Geo": "BR", "CF-IPCountry": "JP"}, "BR"},
		{"no source", none, "81.2.69.160", map[string]string{"CF-IPCountry": "JP"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.Country(addr(tt.ip), headers(tt.headers)); got != tt.want {
				t.Errorf("Country(%q) = %q; want %q", tt.ip, got, tt.want)
			}
		})
	}
	if got := withHeaders.Country(addr("81.2.69.160"), nil); got != "GB" {
		t.Errorf("Country with nil headers = %q; want GB", got)
	}
}

// TestCountryErrorNotLogged checks that a failing lookup is logged without
// the address.
func TestCountryErrorNotLogged(t *testing.T) {
	db := writeCountryDB(t, map[string]mmdbtype.Map{
		"81.2.69.0/24": {"country": mmdbtype.Map{"iso_code": mmdbtype.Uint32(826)}}, // wrong type
	})
	var buf bytes.Buffer
	e, err := New(Config{GeoIPDB: db}, slog.New(slog.NewJSONHandler(&buf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for range 3 {
		if got := e.Country(addr("81.2.69.160"), nil); got != "" {
			t.Errorf("Country = %q; want \"\"", got)
		}
	}
	logs := buf.String()
	if !strings.Contains(logs, "country lookup failed") {
		t.Errorf("lookup error not logged: %s", logs)
	}
	if strings.Count(logs, "country lookup failed") != 1 {
		t.Errorf("lookup error not throttled: %s", logs)
	}
	if strings.Contains(logs, "81.2.69") {
		t.Errorf("log contains the address: %s", logs)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"defaults", Config{}, ""},
		{"bad cidr", Config{TrustedProxies: []string{"10.0.0.0/33"}}, "trusted_proxies"},
		{"bad address", Config{TrustedProxies: []string{"proxy.local"}}, "trusted_proxies"},
		{"bad header", Config{CountryHeaders: []string{"CF IPCountry"}}, "country_headers"},
		{"missing db", Config{GeoIPDB: "/nonexistent/country.mmdb"}, "geoip_db"},
		{"negative cache", Config{UACacheSize: -1}, "ua_cache_size"},
		{"too many workers", Config{UAWorkers: 1000}, "ua_workers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Validate() = %v; want an error about %s", err, tt.wantErr)
			}
		})
	}
	cfg := Config{}
	if err := cfg.Validate(); err != nil || cfg.UACacheSize != DefaultUACacheSize || len(cfg.CountryHeaders) != 4 || cfg.UAWorkers != 1 {
		t.Errorf("defaults not applied: %+v, %v", cfg, err)
	}
}

func TestNewBadDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.mmdb")
	if err := os.WriteFile(path, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{GeoIPDB: path}, nil); err == nil {
		t.Fatal("New with a corrupt database succeeded")
	}
}

func TestCountryAfterClose(t *testing.T) {
	e := newTestEnricher(t, Config{GeoIPDB: testCountryDB(t)})
	if got := e.Country(addr("81.2.69.160"), nil); got != "GB" {
		t.Fatalf("Country = %q; want GB", got)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if got := e.Country(addr("81.2.69.160"), nil); got != "" {
		t.Errorf("Country after Close = %q; want \"\"", got)
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// addr parses a peer address as the HTTP layer would hand it over (a port
// or brackets allowed); the zero Addr for text that is not one.
func addr(s string) netip.Addr {
	a, _ := parseIP(s)
	return a
}

// text is an address's text, "" for the zero Addr.
func text(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}
