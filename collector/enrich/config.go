package enrich

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strings"
)

// Defaults of Config.
const (
	DefaultUACacheSize = 100_000
	DefaultUAWorkers   = 1
	DefaultUAQueueSize = 1024

	maxUAWorkers = 64
)

// DefaultCountryHeaders are the CDN headers that carry the visitor's
// country, in the order they are consulted. They are read only when
// Config.TrustCountryHeaders is set.
var DefaultCountryHeaders = []string{
	"CF-IPCountry",
	"CloudFront-Viewer-Country",
	"X-Vercel-IP-Country",
	"X-Country-Code",
}

// Config configures an Enricher.
type Config struct {
	// CountryHeaders are the request headers that carry the visitor's
	// ISO 3166-1 alpha-2 country, set by a CDN in front of the collector.
	// Empty means DefaultCountryHeaders.
	CountryHeaders []string `yaml:"country_headers"`
	// TrustCountryHeaders enables CountryHeaders. Any client can send
	// these headers, so enable it only when a CDN sets (and overwrites)
	// them on every request that reaches the collector.
	TrustCountryHeaders bool `yaml:"trust_country_headers"`
	// GeoIPDB is an optional MaxMind-format country database (GeoLite2 or
	// GeoIP2 Country, DB-IP Country Lite, ip-location-db, ...), used when
	// no trusted header names the country. GeoIPDBOff means none; the
	// application's config (collector/config) turns empty into
	// BundledGeoIPDB when that file exists (GeoIPDBOrBundled).
	GeoIPDB string `yaml:"geoip_db"`
	// TrustedProxies are CIDRs (or single addresses) of the reverse
	// proxies whose X-Forwarded-For is believed.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// UACacheSize bounds the number of parsed User-Agents kept in memory.
	UACacheSize int `yaml:"ua_cache_size"`
	// UAWorkers is the number of background goroutines that parse
	// User-Agents missing from the cache.
	UAWorkers int `yaml:"ua_workers"`
	// UAQueueSize bounds the User-Agents waiting for a background parse;
	// beyond it, misses are not queued (the next hit with the same UA
	// tries again).
	UAQueueSize int `yaml:"ua_queue_size"`
}

// RegisterFlags adds the enrichment flags to fs under the prefix "enrich.".
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.Func("enrich.country-headers", "comma-separated CDN country headers, in order (default "+
		strings.Join(DefaultCountryHeaders, ",")+")", func(s string) error {
		c.CountryHeaders = splitList(s)
		return nil
	})
	fs.BoolVar(&c.TrustCountryHeaders, "enrich.trust-country-headers", c.TrustCountryHeaders,
		"read the visitor's country from the CDN country headers (only behind a CDN that sets them)")
	fs.StringVar(&c.GeoIPDB, "enrich.geoip-db", c.GeoIPDB, "MaxMind-format country database (.mmdb); default the bundled one when installed, off for none")
	fs.Func("enrich.trusted-proxies", "comma-separated CIDRs whose X-Forwarded-For, -Host and -Proto are trusted", func(s string) error {
		c.TrustedProxies = splitList(s)
		return nil
	})
	fs.IntVar(&c.UACacheSize, "enrich.ua-cache-size", DefaultUACacheSize, "parsed User-Agents kept in memory")
	fs.IntVar(&c.UAWorkers, "enrich.ua-workers", DefaultUAWorkers, "background User-Agent parse workers")
	fs.IntVar(&c.UAQueueSize, "enrich.ua-queue-size", DefaultUAQueueSize, "User-Agents waiting for a background parse")
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if len(c.CountryHeaders) == 0 {
		c.CountryHeaders = DefaultCountryHeaders
	}
	if c.UACacheSize == 0 {
		c.UACacheSize = DefaultUACacheSize
	}
	if c.UAWorkers == 0 {
		c.UAWorkers = DefaultUAWorkers
	}
	if c.UAQueueSize == 0 {
		c.UAQueueSize = DefaultUAQueueSize
	}
	return c
}

// Proxies returns TrustedProxies as canonical prefixes (a single address
// is a full-length prefix).
func (c Config) Proxies() ([]netip.Prefix, error) { return parsePrefixes(c.TrustedProxies) }

// Validate fills in the defaults of zero fields and checks the values.
func (c *Config) Validate() error {
	*c = c.withDefaults()
	for _, h := range c.CountryHeaders {
		if !validHeaderName(h) {
			return fmt.Errorf("enrich: country_headers: %q is not a header name", h)
		}
	}
	if _, err := parsePrefixes(c.TrustedProxies); err != nil {
		return err
	}
	if c.GeoIPDB == GeoIPDBOff {
		c.GeoIPDB = ""
	}
	if c.GeoIPDB != "" {
		if _, err := os.Stat(c.GeoIPDB); err != nil {
			return fmt.Errorf("enrich: geoip_db: %w", err)
		}
	}
	switch {
	case c.UACacheSize < 0:
		return fmt.Errorf("enrich: ua_cache_size %d is negative", c.UACacheSize)
	case c.UAWorkers < 1 || c.UAWorkers > maxUAWorkers:
		return fmt.Errorf("enrich: ua_workers %d is outside [1, %d]", c.UAWorkers, maxUAWorkers)
	case c.UAQueueSize < 0:
		return fmt.Errorf("enrich: ua_queue_size %d is negative", c.UAQueueSize)
	}
	return nil
}

// parsePrefixes parses CIDRs and single addresses.
func parsePrefixes(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		s = strings.TrimSpace(s)
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("enrich: trusted_proxies: %w", err)
			}
			if p.Addr().Is4In6() {
				p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("enrich: trusted_proxies: %w", err)
		}
		a = canonical(a)
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// validHeaderName reports whether s is an HTTP header field name (token).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
