package consent

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"net/netip"
	"testing"
	"time"
)

// TestSalterHashValue pins the hash to HMAC-SHA256(salt, site 0 /24-or-/48
// of the IP 0 UA), first 8 bytes big-endian, so that a faster
// implementation cannot change stored visitor hashes within a day.
func TestSalterHashValue(t *testing.T) {
	s := NewSalter(nil, nil)
	var salt [32]byte
	for i := range salt {
		salt[i] = byte(i * 7)
	}
	s.cur.Store(&daySalt{day: Day(time.Now()), value: salt})
	for _, tc := range []struct{ site, ip, ua string }{
		{"demo", "203.0.113.7", "Mozilla/5.0 (X11; Linux x86_64)"},
		{"shop", "2001:db8:1:2::1", ""},
		{"demo", "::ffff:203.0.113.9", "ua"},
		{"demo", "not an ip", "ua"},
	} {
		m := hmac.New(sha256.New, salt[:])
		m.Write([]byte(tc.site))
		m.Write([]byte{0})
		m.Write(TruncateIP(ip(tc.ip)))
		m.Write([]byte{0})
		m.Write([]byte(tc.ua))
		want := binary.BigEndian.Uint64(m.Sum(nil))
		for range 2 { // a second time through the pooled MAC
			if got := s.Hash(tc.site, ip(tc.ip), tc.ua); got != want {
				t.Errorf("Hash(%q, %q, %q) = %x, want %x", tc.site, tc.ip, tc.ua, got, want)
			}
		}
	}
	if s.Hash("demo", ip("203.0.113.7"), "a") != s.Hash("demo", ip("203.0.113.200"), "a") {
		t.Error("addresses of one /24 hash differently")
	}
	n := testing.AllocsPerRun(100, func() { s.Hash("demo", ip("203.0.113.7"), "Mozilla/5.0 (X11; Linux x86_64)") })
	t.Logf("Hash: %v allocations", n)
}

// ip parses an address; the zero Addr for text that is not one.
func ip(s string) netip.Addr {
	a, _ := netip.ParseAddr(s)
	return a
}
