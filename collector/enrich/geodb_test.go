package enrich

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

// bundledGeoIPDB returns the path of the bundled country database, which
// `make deps` and `make test` install. Under CI a missing database fails
// the test; elsewhere it skips with the command that installs it.
func bundledGeoIPDB(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join("..", "..", BundledGeoIPDB)
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("bundled country database missing (deploy/geo/install.sh installs it): %v", err)
		}
		tb.Skipf("bundled country database missing: run deploy/geo/install.sh (%v)", err)
	}
	return path
}

// TestBundledCountryDB looks up real addresses of well-known networks in
// the bundled ip-location-db database, through the Enricher as the
// collector does.
func TestBundledCountryDB(t *testing.T) {
	e := newTestEnricher(t, Config{GeoIPDB: bundledGeoIPDB(t)})
	tests := []struct{ name, ip, want string }{
		{"Google Public DNS", "8.8.8.8", "US"},
		{"Google Public DNS IPv6", "2001:4860:4860::8888", "US"},
		{"Quad9", "9.9.9.9", "US"},
		{"SoftBank", "126.0.0.1", "JP"},
		{"KDDI au", "106.128.0.1", "JP"},
		{"NTT OCN", "153.150.0.1", "JP"},
		{"IIJ", "210.130.1.1", "JP"},
		{"NTT East FLET'S IPv6", "2400:4050::1", "JP"},
		{"BT", "81.2.69.142", "GB"},
		{"private", "192.168.1.10", ""},
		{"loopback", "::1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.Country(netip.MustParseAddr(tt.ip), nil); got != tt.want {
				t.Errorf("Country(%s) = %q, want %q", tt.ip, got, tt.want)
			}
		})
	}
}

// TestGeoIPDBOrBundled checks the default: the configured path wins, off
// means none, and empty means the bundled database when it is there.
func TestGeoIPDBOrBundled(t *testing.T) {
	if got := GeoIPDBOrBundled("/x/GeoLite2-Country.mmdb"); got != "/x/GeoLite2-Country.mmdb" {
		t.Errorf("configured path: got %q", got)
	}
	if got := GeoIPDBOrBundled(GeoIPDBOff); got != GeoIPDBOff {
		t.Errorf("off: got %q", got)
	}
	c := Config{GeoIPDB: GeoIPDBOff}
	if err := c.Validate(); err != nil || c.GeoIPDB != "" {
		t.Errorf("Validate(off) = %v, GeoIPDB %q; want no error and no database", err, c.GeoIPDB)
	}
	if got := GeoIPDBOrBundled(""); got != "" {
		t.Errorf("empty, outside the repository root: got %q, want no database", got)
	}
	bundledGeoIPDB(t)
	t.Chdir(filepath.Join("..", ".."))
	if got := GeoIPDBOrBundled(""); got != BundledGeoIPDB {
		t.Errorf("empty, at the repository root: got %q, want %q", got, BundledGeoIPDB)
	}
}
