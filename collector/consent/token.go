// Package consent is the consent stage: it verifies the consent tokens the
// server issued, turns a verified grant into capabilities, and applies them
// to events in one pure function (Apply). It also keeps the daily salt of
// anonymous mode.
package consent

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"
	"time"

	"github.com/ashiato/ashiato/collector"
)

// tokenPrefix marks the token format version.
const tokenPrefix = "a1."

// MaxTokenLen bounds what Verify reads from outside input.
const MaxTokenLen = 2048

// Errors returned by Verify.
var (
	ErrMalformed = errors.New("consent token malformed")
	ErrSignature = errors.New("consent token signature invalid")
	ErrExpired   = errors.New("consent token expired")
)

// Signer issues and verifies consent tokens with a server-side secret.
// Tokens are "a1.<base64url(json claims)>.<base64url(HMAC-SHA256)>".
type Signer struct {
	key  []byte
	macs sync.Pool // of HMAC-SHA256 states with key, reset after use
}

// NewSigner returns a Signer for key, which must have at least 32 bytes.
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("consent secret: need at least 32 bytes, got %d", len(key))
	}
	s := &Signer{key: append([]byte(nil), key...)}
	s.macs.New = func() any { return hmac.New(sha256.New, s.key) }
	return s, nil
}

type claims struct {
	ConsentID string   `json:"c"`
	Site      string   `json:"s"`
	VisitorID string   `json:"v,omitempty"`
	Purposes  []string `json:"p"`
	Revision  int      `json:"r"`
	IssuedAt  int64    `json:"i"`
	ExpiresAt int64    `json:"e"`
}

// Sign returns the token for g.
func (s *Signer) Sign(g collector.Grant) string {
	body, _ := json.Marshal(claims{
		ConsentID: g.ConsentID, Site: g.Site, VisitorID: g.VisitorID,
		Purposes: g.Purposes, Revision: g.Revision,
		IssuedAt: g.IssuedAt.Unix(), ExpiresAt: g.ExpiresAt.Unix(),
	})
	// One buffer for the whole token: a decision's answer signs one, and
	// every allocation of the decision path is paid again in GC.
	enc := base64.RawURLEncoding
	tok := make([]byte, 0, len(tokenPrefix)+enc.EncodedLen(len(body))+1+enc.EncodedLen(sha256.Size))
	tok = enc.AppendEncode(append(tok, tokenPrefix...), body)
	var sum [sha256.Size]byte
	tok = enc.AppendEncode(append(tok, '.'), s.mac(sum[:0], tok[len(tokenPrefix):]))
	return string(tok)
}

// mac appends the HMAC-SHA256 of payload to dst.
func (s *Signer) mac(dst, payload []byte) []byte {
	m := s.macs.Get().(hash.Hash)
	m.Write(payload)
	dst = m.Sum(dst)
	m.Reset()
	s.macs.Put(m)
	return dst
}

// Verify checks token's signature and expiry at now and returns its grant.
func (s *Signer) Verify(token string, now time.Time) (*collector.Grant, error) {
	if len(token) > MaxTokenLen || !strings.HasPrefix(token, tokenPrefix) {
		return nil, ErrMalformed
	}
	payload, sig, ok := strings.Cut(token[len(tokenPrefix):], ".")
	if !ok || payload == "" {
		return nil, ErrMalformed
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return nil, ErrMalformed
	}
	var sum [sha256.Size]byte
	if !hmac.Equal(got, s.mac(sum[:0], []byte(payload))) {
		return nil, ErrSignature
	}
	body, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, ErrMalformed
	}
	var c claims
	if err := json.Unmarshal(body, &c); err != nil || c.ConsentID == "" || c.Site == "" ||
		!saneUnix(c.IssuedAt) || !saneUnix(c.ExpiresAt) {
		return nil, ErrMalformed
	}
	if now.Unix() >= c.ExpiresAt {
		return nil, ErrExpired
	}
	return &collector.Grant{
		ConsentID: c.ConsentID, Site: c.Site, VisitorID: c.VisitorID,
		Purposes: c.Purposes, Revision: c.Revision,
		IssuedAt: time.Unix(c.IssuedAt, 0).UTC(), ExpiresAt: time.Unix(c.ExpiresAt, 0).UTC(),
	}, nil
}

// saneUnix reports whether t (Unix seconds) is a time that time.Unix
// represents without overflow, so that the grant's times compare as the
// token says (found by FuzzVerifyClaims: an expiry of 2^63-1 seconds
// passed the check and then compared as long past).
func saneUnix(t int64) bool { return t >= 0 && t < 1<<40 }
