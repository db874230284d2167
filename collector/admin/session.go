package admin

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// Sessions signs and checks the dashboard's session cookies. A cookie
// holds no secret: it is "<token id>.<expiry unix>.<HMAC-SHA256>" keyed
// with a key derived from the collector's secret, so every collector
// instance that shares the secret accepts it and nothing is kept on the
// server. The token is looked up again on every request, so revoking it
// ends its sessions at once; logging out deletes the cookie.
type Sessions struct {
	key []byte
	TTL time.Duration // default 8h
	Now func() time.Time
}

// NewSessions derives the cookie key from the collector's secret.
func NewSessions(secret []byte) *Sessions {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("ashiato dashboard session v1"))
	return &Sessions{key: m.Sum(nil)}
}

func (s *Sessions) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sessions) ttl() time.Duration {
	if s.TTL > 0 {
		return s.TTL
	}
	return 8 * time.Hour
}

func (s *Sessions) mac(payload string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Issue returns a cookie value for token id and when it expires.
func (s *Sessions) Issue(tokenID string) (string, time.Time) {
	exp := s.now().Add(s.ttl()).Truncate(time.Second)
	payload := tokenID + "." + strconv.FormatInt(exp.Unix(), 10)
	return payload + "." + s.mac(payload), exp
}

// Check returns the token ID of a valid, unexpired cookie value.
func (s *Sessions) Check(v string) (string, bool) {
	i := strings.LastIndexByte(v, '.')
	if i < 0 || len(v) > 200 {
		return "", false
	}
	payload, sig := v[:i], v[i+1:]
	if !hmac.Equal([]byte(sig), []byte(s.mac(payload))) {
		return "", false
	}
	id, exp, ok := strings.Cut(payload, ".")
	n, err := strconv.ParseInt(exp, 10, 64)
	if !ok || err != nil || id == "" || !s.now().Before(time.Unix(n, 0)) {
		return "", false
	}
	return id, true
}
