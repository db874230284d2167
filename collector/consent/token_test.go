package consent

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector"
)

var testKey = bytes.Repeat([]byte{7}, 32)

func testSigner(tb testing.TB) *Signer {
	tb.Helper()
	s, err := NewSigner(testKey)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestTokenRoundTrip(t *testing.T) {
	s := testSigner(t)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	g := collector.Grant{ConsentID: "c1", Site: "demo", VisitorID: "v1", Purposes: []string{"necessary", "analytics"},
		Revision: 3, IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
	got, err := s.Verify(s.Sign(g), now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if got.ConsentID != "c1" || got.Site != "demo" || got.VisitorID != "v1" || got.Revision != 3 ||
		len(got.Purposes) != 2 || !got.ExpiresAt.Equal(g.ExpiresAt) {
		t.Fatalf("round trip: %+v", got)
	}
}

func TestTokenRejects(t *testing.T) {
	s := testSigner(t)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	g := collector.Grant{ConsentID: "c1", Site: "demo", Purposes: []string{"advertising"}, IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
	tok := s.Sign(g)
	other, _ := NewSigner(bytes.Repeat([]byte{8}, 32))
	payload, sig, _ := strings.Cut(strings.TrimPrefix(tok, tokenPrefix), ".")
	// A forged payload granting more, with the old signature.
	forged := tokenPrefix + strings.Replace(payload, payload[:10], "eyJjIjoiYzIi", 1) + "." + sig
	for _, tc := range []struct {
		name  string
		token string
		at    time.Time
		want  error
	}{
		{"expired", tok, now.Add(2 * time.Hour), ErrExpired},
		{"other key", other.Sign(g), now, ErrSignature},
		{"forged payload", forged, now, ErrSignature},
		{"no prefix", strings.TrimPrefix(tok, tokenPrefix), now, ErrMalformed},
		{"no signature", tokenPrefix + payload, now, ErrMalformed},
		{"empty", "", now, ErrMalformed},
		{"too long", tokenPrefix + strings.Repeat("a", MaxTokenLen), now, ErrMalformed},
		{"bad base64 sig", tokenPrefix + payload + ".!!!", now, ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.Verify(tc.token, tc.at); !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestNewSignerNeedsLongKey(t *testing.T) {
	if _, err := NewSigner(make([]byte, 16)); err == nil {
		t.Fatal("a 16-byte key was accepted")
	}
}

// FuzzVerify feeds arbitrary tokens to Verify: it must never panic, and
// anything it accepts must carry a consent ID and a site (only our own
// signature can produce that, which the fuzzer cannot).
func FuzzVerify(f *testing.F) {
	s := testSigner(f)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	valid := s.Sign(collector.Grant{ConsentID: "c", Site: "demo", Purposes: []string{"analytics"}, IssuedAt: now, ExpiresAt: now.Add(time.Hour)})
	f.Add(valid)                                   // a genuine token
	f.Add("a1.")                                   // prefix only
	f.Add("a1.e30.")                               // "{}" with an empty signature
	f.Add("a1.e30.AAAA")                           // "{}" with a wrong signature
	f.Add(strings.Replace(valid, "a1.", "a2.", 1)) // unknown version
	f.Add(valid[:len(valid)-3])                    // truncated signature
	f.Fuzz(func(t *testing.T, tok string) {
		g, err := s.Verify(tok, now)
		if err == nil && (g.ConsentID == "" || g.Site == "") {
			t.Fatalf("accepted a token without consent ID or site: %q", tok)
		}
		if err == nil && tok != valid {
			// Only the one genuine token can verify; HMAC forgeries are out of reach.
			t.Fatalf("accepted a token we did not sign: %q", tok)
		}
	})
}

// FuzzVerifyClaims signs arbitrary claim bytes with the server's key, so
// that what lies behind the signature check (base64, JSON, the claims'
// checks) is fuzzed too: FuzzVerify cannot get past the signature. It must
// never panic, and a grant it returns has a consent ID, a site and an
// expiry after now.
func FuzzVerifyClaims(f *testing.F) {
	s := testSigner(f)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for _, seed := range []string{
		// genuine claims, as Sign writes them
		`{"c":"c1","s":"demo","v":"v1","p":["necessary","analytics"],"r":3,"i":1795000000,"e":1900000000}`,
		// no consent ID, no site, expired, a negative and an enormous expiry
		`{"s":"demo","e":1900000000}`, `{"c":"c1","e":1900000000}`, `{"c":"c1","s":"demo","e":1}`,
		`{"c":"c1","s":"demo","e":-1}`, `{"c":"c1","s":"demo","e":9223372036854775807}`,
		// wrong types, duplicate keys, trailing bytes, not an object
		`{"c":1,"s":["demo"],"p":"analytics","r":"3"}`, `{"c":"a","c":"b","s":"demo","e":1900000000}`,
		`{"c":"c1","s":"demo","e":1900000000} x`, `[]`, `null`, ``, "\xff\xfe",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, claims []byte) {
		payload := base64.RawURLEncoding.EncodeToString(claims)
		tok := tokenPrefix + payload + "." + base64.RawURLEncoding.EncodeToString(s.mac(nil, []byte(payload)))
		g, err := s.Verify(tok, now)
		if err != nil {
			return
		}
		if g.ConsentID == "" || g.Site == "" || !g.ExpiresAt.After(now) {
			t.Fatalf("accepted claims %q as %+v", claims, g)
		}
	})
}
