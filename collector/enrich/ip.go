package enrich

import (
	"net/netip"
	"strings"
)

// ClientIP returns the visitor's address: remoteIP (the TCP peer), unless
// the peer is a trusted proxy, in which case X-Forwarded-For is walked from
// the right, past every trusted proxy, to the first address that is not
// one. An entry that is not an address ends the walk at the last trusted
// hop. Several X-Forwarded-For header lines must be joined with ",". The
// result is in canonical form (IPv4-mapped IPv6 unmapped, no zone), or
// the zero Addr when remote is not valid. An address, not its text: the
// text would cost an allocation per hit.
func (e *Enricher) ClientIP(remote netip.Addr, xForwardedFor string) netip.Addr {
	if !remote.IsValid() {
		return netip.Addr{}
	}
	ip := canonical(remote)
	if xForwardedFor == "" || !e.trusted(ip) {
		return ip
	}
	rest := xForwardedFor
	for rest != "" {
		part := rest
		if i := strings.LastIndexByte(rest, ','); i >= 0 {
			part, rest = rest[i+1:], rest[:i]
		} else {
			rest = ""
		}
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		hop, ok := parseIP(part)
		if !ok {
			break // garbage, possibly forged: stop at the last trusted hop
		}
		ip = hop
		if !e.trusted(hop) {
			break
		}
	}
	return ip
}

// Trusted reports whether ip is a trusted proxy (its X-Forwarded-For is
// believed).
func (e *Enricher) Trusted(ip netip.Addr) bool { return e.trusted(canonical(ip)) }

func (e *Enricher) trusted(ip netip.Addr) bool {
	for _, p := range e.proxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// parseIP accepts "addr", "addr:port", "[v6]" and "[v6]:port".
func parseIP(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, err2 := netip.ParseAddrPort(s)
		switch {
		case err2 == nil:
			a = ap.Addr()
		case len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']':
			if a, err = netip.ParseAddr(s[1 : len(s)-1]); err != nil {
				return netip.Addr{}, false
			}
		default:
			return netip.Addr{}, false
		}
	}
	return canonical(a), true
}

// canonical is a's canonical form: IPv4-mapped IPv6 unmapped, no zone.
func canonical(a netip.Addr) netip.Addr { return a.Unmap().WithZone("") }

// Country returns the visitor's country as an upper-case ISO 3166-1
// alpha-2 code, or "" when unknown: from the first configured CDN header
// that holds a country code (only when TrustCountryHeaders is set), else
// from the country database, if any. headers returns a request header's
// value by name. Private, loopback and other non-public addresses have no
// country. Neither the address nor the headers are ever logged.
func (e *Enricher) Country(ip netip.Addr, headers func(name string) string) string {
	if e.cfg.TrustCountryHeaders && headers != nil {
		for _, h := range e.cfg.CountryHeaders {
			if c, ok := countryCode(headers(h)); ok {
				return c
			}
		}
	}
	a := ip.Unmap()
	if !a.IsGlobalUnicast() || a.IsPrivate() {
		return ""
	}
	e.geoMu.RLock()
	defer e.geoMu.RUnlock()
	if e.geo == nil {
		return ""
	}
	res := e.geo.Lookup(a)
	var code string
	// ip-location-db's country databases keep the code at the top level;
	// MaxMind's and DB-IP's under country.
	err := res.DecodePath(&code, "country_code")
	if err == nil && code == "" {
		err = res.DecodePath(&code, "country", "iso_code")
	}
	if err == nil && code == "" {
		// Some networks (anycast, satellite) have only the country in
		// which they are registered.
		err = res.DecodePath(&code, "registered_country", "iso_code")
	}
	if err != nil {
		if !throttled(&e.geoErrAt) {
			e.log.Warn("enrich: country lookup failed", "err", err)
		}
		return ""
	}
	c, _ := countryCode(code)
	return c
}

// countryCode upper-cases a two-letter code and rejects the placeholders
// that CDNs and databases use for "unknown" (XX, ZZ) and for regions that
// are not countries (EU, AP); Cloudflare's T1 (Tor) has a digit.
func countryCode(s string) (string, bool) {
	if len(s) != 2 {
		s = strings.TrimSpace(s)
		if len(s) != 2 {
			return "", false
		}
	}
	b0, b1 := s[0]&^0x20, s[1]&^0x20 // ASCII upper case
	if b0 < 'A' || b0 > 'Z' || b1 < 'A' || b1 > 'Z' {
		return "", false
	}
	switch c := string([]byte{b0, b1}); c {
	case "XX", "ZZ", "EU", "AP":
		return "", false
	default:
		return c, true
	}
}
