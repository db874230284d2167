package consent

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Limits of identify assertions.
const (
	// MaxAssertionLen bounds what VerifyAssertion reads from outside input.
	MaxAssertionLen = 4096
	// MaxAssertionLifetime is the longest exp - iat accepted: an assertion
	// is minted for one page view, not kept.
	MaxAssertionLifetime = 10 * time.Minute
	// AssertionLeeway tolerates clocks of the site's back end and the
	// collector that differ a little.
	AssertionLeeway = 30 * time.Second
)

// Scopes an assertion may carry. An identify assertion carries none; a
// consent API credential carries ScopeConsent, so that an identify
// assertion, which the browser sees, cannot record decisions.
const ScopeConsent = "consent"

// ScopePreferences marks a customer token: the site's back end vouches for
// its signed-in customer to the preference center (collector/customer). An
// identify assertion cannot serve as one, nor the other way round.
const ScopePreferences = "preferences"

// Errors returned by VerifyAssertion. Their text is safe to show a client.
var (
	ErrAssertionMalformed = errors.New("assertion malformed: want a compact JWT (header.payload.signature)")
	ErrAssertionAlg       = errors.New("assertion algorithm: want alg HS256")
	ErrAssertionSignature = errors.New("assertion signature invalid")
	ErrAssertionClaims    = errors.New("assertion claims: want sub, aud, iat and exp")
	ErrAssertionAudience  = errors.New("assertion audience is not this site")
	ErrAssertionExpired   = errors.New("assertion expired or not yet valid")
	ErrAssertionLifetime  = errors.New("assertion lives too long: exp - iat is at most 10 minutes")
	ErrAssertionNoKey     = errors.New("the site has no identify key")
	ErrAssertionScope     = errors.New("assertion scope does not fit this use")
)

// Assertion is what a site's back end vouches for in a signed JWT: the
// user it names (sub) to a site (aud), for a short time.
type Assertion struct {
	Subject   string
	Site      string
	Scope     string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

type assertionHeader struct {
	Alg  string   `json:"alg"`
	Typ  string   `json:"typ"`
	Crit []string `json:"crit"`
}

type assertionClaims struct {
	Sub   string          `json:"sub"`
	Aud   json.RawMessage `json:"aud"` // a string or an array of strings
	Scope string          `json:"scope"`
	Iat   *float64        `json:"iat"`
	Exp   *float64        `json:"exp"`
	Nbf   *float64        `json:"nbf"`
}

// VerifyAssertion checks a JWT in compact form, signed with HS256 and key,
// for site at now: the header says alg HS256 (no other algorithm, "none"
// least of all) and no critical extensions; the signature matches
// (compared in constant time); the claims hold sub, aud naming site, iat
// and exp, with exp - iat at most MaxAssertionLifetime and now within
// [iat, exp) (nbf too, if present) give or take AssertionLeeway; and its
// scope is scope (none for an identify assertion, ScopeConsent for a
// consent API credential), so that one kind cannot serve as the other.
func VerifyAssertion(key []byte, token, site, scope string, now time.Time) (Assertion, error) {
	var a Assertion
	if len(key) == 0 {
		return a, ErrAssertionNoKey
	}
	if len(token) > MaxAssertionLen || strings.Count(token, ".") != 2 {
		return a, ErrAssertionMalformed
	}
	head, rest, _ := strings.Cut(token, ".")
	payload, sig, _ := strings.Cut(rest, ".")
	var h assertionHeader
	if err := decodeSegment(head, &h); err != nil {
		return a, err
	}
	if h.Alg != "HS256" {
		return a, ErrAssertionAlg
	}
	if (h.Typ != "" && !strings.EqualFold(h.Typ, "JWT")) || h.Crit != nil {
		return a, ErrAssertionMalformed
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return a, ErrAssertionMalformed
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(token[:len(head)+1+len(payload)]))
	if !hmac.Equal(got, m.Sum(nil)) {
		return a, ErrAssertionSignature
	}
	var c assertionClaims
	if err := decodeSegment(payload, &c); err != nil {
		return a, err
	}
	iat, iok := unixTime(c.Iat)
	exp, eok := unixTime(c.Exp)
	if c.Sub == "" || !iok || !eok {
		return a, ErrAssertionClaims
	}
	if !audienceHas(c.Aud, site) {
		return a, ErrAssertionAudience
	}
	if !exp.After(iat) || exp.Sub(iat) > MaxAssertionLifetime {
		return a, ErrAssertionLifetime
	}
	notBefore := iat
	if c.Nbf != nil {
		nbf, ok := unixTime(c.Nbf)
		if !ok {
			return a, ErrAssertionClaims
		}
		notBefore = later(notBefore, nbf)
	}
	if now.Add(AssertionLeeway).Before(notBefore) || !now.Before(exp.Add(AssertionLeeway)) {
		return a, ErrAssertionExpired
	}
	if c.Scope != scope {
		return a, ErrAssertionScope
	}
	return Assertion{Subject: c.Sub, Site: site, Scope: c.Scope, IssuedAt: iat, ExpiresAt: exp}, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// decodeSegment decodes a base64url JSON segment (without padding) into v.
func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil || len(b) == 0 || b[0] != '{' {
		return ErrAssertionMalformed
	}
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(v); err != nil || d.More() {
		return ErrAssertionMalformed
	}
	return nil
}

// unixTime reads a NumericDate (seconds since the epoch); absent, negative,
// fractional beyond reason or far out of range is not ok.
func unixTime(v *float64) (time.Time, bool) {
	if v == nil || math.IsNaN(*v) || *v < 0 || *v > 1<<40 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(*v)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}

// audienceHas reports whether aud (a string or an array of strings) names site.
func audienceHas(aud json.RawMessage, site string) bool {
	var one string
	if json.Unmarshal(aud, &one) == nil {
		return one == site
	}
	var many []string
	if json.Unmarshal(aud, &many) != nil {
		return false
	}
	for _, s := range many {
		if s == site {
			return true
		}
	}
	return false
}

// SignAssertion mints an HS256 JWT for userID and site with key, valid for
// ttl from now; scope is "" for identify. It is what a site's back end
// does (README shows it with the standard library alone); tests use it.
func SignAssertion(key []byte, userID, site, scope string, now time.Time, ttl time.Duration) string {
	head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	claims := map[string]any{"sub": userID, "aud": site, "iat": now.Unix(), "exp": now.Add(ttl).Unix()}
	if scope != "" {
		claims["scope"] = scope
	}
	body, err := json.Marshal(claims)
	if err != nil {
		panic(fmt.Sprintf("encode assertion claims: %v", err)) // strings and integers always encode
	}
	signing := head + "." + base64.RawURLEncoding.EncodeToString(body)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
