package consent

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

var assertionKey = []byte("0123456789abcdef0123456789abcdef-site-key")

// jwt builds a token from raw header and claims JSON, signed with key
// (HS256 whatever the header says).
func jwt(key []byte, header, claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	data := enc([]byte(header)) + "." + enc([]byte(claims))
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return data + "." + enc(m.Sum(nil))
}

func TestVerifyAssertion(t *testing.T) {
	now := time.Unix(1_780_000_000, 0).UTC()
	const hs = `{"alg":"HS256","typ":"JWT"}`
	claims := func(extra string) string {
		return `{"sub":"alice","aud":"shop","iat":1780000000,"exp":1780000300` + extra + `}`
	}
	good := jwt(assertionKey, hs, claims(""))
	for _, tc := range []struct {
		name  string
		token string
		at    time.Time
		want  error
	}{
		{"valid", good, now, nil},
		{"minted by SignAssertion", SignAssertion(assertionKey, "alice", "shop", "", now, 5*time.Minute), now, nil},
		{"audience list", jwt(assertionKey, hs, `{"sub":"alice","aud":["blog","shop"],"iat":1780000000,"exp":1780000300}`), now, nil},
		{"within the leeway after exp", good, now.Add(5*time.Minute + 10*time.Second), nil},
		{"expired", good, now.Add(5*time.Minute + AssertionLeeway), ErrAssertionExpired},
		{"issued in the future", good, now.Add(-time.Minute), ErrAssertionExpired},
		{"not before", jwt(assertionKey, hs, claims(`,"nbf":1780000200`)), now, ErrAssertionExpired},
		{"lives too long", jwt(assertionKey, hs, `{"sub":"alice","aud":"shop","iat":1780000000,"exp":1780000601}`), now, ErrAssertionLifetime},
		{"exp before iat", jwt(assertionKey, hs, `{"sub":"alice","aud":"shop","iat":1780000000,"exp":1779999999}`), now, ErrAssertionLifetime},
		{"no exp", jwt(assertionKey, hs, `{"sub":"alice","aud":"shop","iat":1780000000}`), now, ErrAssertionClaims},
		{"no iat", jwt(assertionKey, hs, `{"sub":"alice","aud":"shop","exp":1780000300}`), now, ErrAssertionClaims},
		{"no sub", jwt(assertionKey, hs, `{"aud":"shop","iat":1780000000,"exp":1780000300}`), now, ErrAssertionClaims},
		{"exp as a string", jwt(assertionKey, hs, `{"sub":"alice","aud":"shop","iat":1780000000,"exp":"1780000300"}`), now, ErrAssertionMalformed},
		{"other audience", jwt(assertionKey, hs, `{"sub":"alice","aud":"blog","iat":1780000000,"exp":1780000300}`), now, ErrAssertionAudience},
		{"no audience", jwt(assertionKey, hs, `{"sub":"alice","iat":1780000000,"exp":1780000300}`), now, ErrAssertionAudience},
		{"other key", jwt([]byte("another key of the same length ok!"), hs, claims("")), now, ErrAssertionSignature},
		{"alg none", strings.Join(strings.Split(jwt(assertionKey, `{"alg":"none"}`, claims("")), ".")[:2], ".") + ".", now, ErrAssertionAlg},
		{"alg HS512", jwt(assertionKey, `{"alg":"HS512"}`, claims("")), now, ErrAssertionAlg},
		{"alg RS256", jwt(assertionKey, `{"alg":"RS256"}`, claims("")), now, ErrAssertionAlg},
		{"alg in lower case", jwt(assertionKey, `{"alg":"hs256"}`, claims("")), now, ErrAssertionAlg},
		{"critical extension", jwt(assertionKey, `{"alg":"HS256","crit":["b64"]}`, claims("")), now, ErrAssertionMalformed},
		{"other typ", jwt(assertionKey, `{"alg":"HS256","typ":"at+jwt"}`, claims("")), now, ErrAssertionMalformed},
		{"two segments", good[:strings.LastIndexByte(good, '.')], now, ErrAssertionMalformed},
		{"four segments", good + ".x", now, ErrAssertionMalformed},
		{"padded signature", good + "=", now, ErrAssertionMalformed},
		{"tampered payload", strings.Replace(good, ".", ".x", 1), now, ErrAssertionSignature},
		{"too long", strings.Repeat("a", MaxAssertionLen) + "..", now, ErrAssertionMalformed},
		{"empty", "", now, ErrAssertionMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := VerifyAssertion(assertionKey, tc.token, "shop", "", tc.at)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if err == nil && (a.Subject != "alice" || a.Site != "shop" || a.Scope != "") {
				t.Fatalf("assertion %+v", a)
			}
		})
	}
	if a, err := VerifyAssertion(assertionKey, SignAssertion(assertionKey, "api", "shop", ScopeConsent, now, time.Minute), "shop", ScopeConsent, now); err != nil || a.Scope != ScopeConsent {
		t.Fatalf("consent credential: %+v %v", a, err)
	}
	if _, err := VerifyAssertion(nil, good, "shop", "", now); err == nil {
		t.Fatal("verified without a key")
	}
}

// FuzzVerifyAssertion feeds the assertion parser arbitrary tokens: it
// must never panic, and whatever it accepts must be signed with the key,
// name the site and a subject, and live at most MaxAssertionLifetime.
func FuzzVerifyAssertion(f *testing.F) {
	now := time.Unix(1_780_000_100, 0).UTC()
	const hs = `{"alg":"HS256","typ":"JWT"}`
	for _, seed := range []string{
		// a valid assertion
		jwt(assertionKey, hs, `{"sub":"alice","aud":"shop","iat":1780000000,"exp":1780000300}`),
		// audience as an array, nbf, fractional dates, a scope
		jwt(assertionKey, hs, `{"sub":"a","aud":["shop"],"iat":1780000000.5,"exp":1780000300,"nbf":1780000000,"scope":"consent"}`),
		// alg none with an empty signature
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIiwiYXVkIjoic2hvcCJ9.",
		// another algorithm, a critical header, a header that is not an object
		jwt(assertionKey, `{"alg":"HS512"}`, `{}`),
		jwt(assertionKey, `{"alg":"HS256","crit":["x"]}`, `{}`),
		jwt(assertionKey, `["HS256"]`, `{}`),
		// claims of the wrong types, trailing data, huge and negative dates
		jwt(assertionKey, hs, `{"sub":1,"aud":{"x":1},"iat":"1","exp":null}`),
		jwt(assertionKey, hs, `{"sub":"a","aud":"shop","iat":1780000000,"exp":1780000300}{}`),
		jwt(assertionKey, hs, `{"sub":"a","aud":"shop","iat":-1,"exp":1e308}`),
		// too few and too many segments, padding, stray characters
		"a.b", "a.b.c.d", "eyJ9.eyJ9.AA==", "...", "\x00.\xff.\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		a, err := VerifyAssertion(assertionKey, token, "shop", "", now)
		if err != nil {
			return
		}
		if a.Subject == "" || a.Site != "shop" || a.ExpiresAt.Sub(a.IssuedAt) > MaxAssertionLifetime {
			t.Fatalf("accepted %q as %+v", token, a)
		}
		if _, err := VerifyAssertion([]byte("another key, not the one it was signed with"), token, "shop", "", now); err == nil {
			t.Fatalf("accepted %q under another key", token)
		}
	})
}
