// Package admin is the admin API: token authentication with scopes, an
// audit row for every action, and the routes for queries, exports,
// subject requests, retention and token management.
package admin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/store"
)

// Scopes of admin API tokens. ScopeAdmin grants every scope.
const (
	ScopeQuery   = "query"   // named queries, dashboards, aggregates
	ScopeExport  = "export"  // subject exports, audience exports
	ScopePrivacy = "privacy" // erasure, stop and resume of use, receipts, consent proofs, customers' requests
	// ScopePreferences is a mailer's: check a customer's notice preference,
	// export suppression lists, mint unsubscribe links.
	ScopePreferences = "preferences"
	ScopeAdmin       = "admin" // tokens, audit log, retention; implies all others
)

// Scopes lists every scope.
var Scopes = []string{ScopeQuery, ScopeExport, ScopePrivacy, ScopePreferences, ScopeAdmin}

// tokenPrefix marks ashiato admin tokens ("ash_<id>_<secret>"), so that
// secret scanners can find leaked ones.
const tokenPrefix = "ash_"

// Tokens creates, checks and revokes admin API tokens. Only a token's
// SHA-256 is stored; the token itself is shown once, at creation.
type Tokens struct {
	Store *store.Store
	Now   func() time.Time
}

// HashToken returns the stored form of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ParseScopes splits and checks a comma-separated scope list.
func ParseScopes(s string) ([]string, error) {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !slices.Contains(Scopes, p) {
			return nil, fmt.Errorf("unknown scope %q (want %s)", p, strings.Join(Scopes, ", "))
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("want at least one scope of %s", strings.Join(Scopes, ", "))
	}
	return out, nil
}

// Create makes a token with scopes and returns it (the only time it is
// visible) with its stored record.
func (t *Tokens) Create(ctx context.Context, name string, scopes []string) (string, store.Token, error) {
	var id [6]byte
	var secret [32]byte
	rand.Read(id[:])
	rand.Read(secret[:])
	plain := tokenPrefix + hex.EncodeToString(id[:]) + "_" + base64.RawURLEncoding.EncodeToString(secret[:])
	rec := store.Token{ID: hex.EncodeToString(id[:]), Name: name, Hash: HashToken(plain), Scopes: scopes, CreatedAt: t.now()}
	if err := t.Store.SaveToken(ctx, rec); err != nil {
		return "", rec, err
	}
	return plain, rec, nil
}

// Authenticate returns the record of a valid, unrevoked token, or an
// unauthorized error.
func (t *Tokens) Authenticate(ctx context.Context, plain string) (*store.Token, error) {
	unauthorized := collector.Errorf(collector.EUnauthorized, "", "a valid API token is required")
	rest, ok := strings.CutPrefix(plain, tokenPrefix)
	if !ok || len(plain) > 200 {
		return nil, unauthorized
	}
	id, _, ok := strings.Cut(rest, "_")
	if !ok || id == "" {
		return nil, unauthorized
	}
	rec, err := t.Store.Token(ctx, id)
	if err != nil {
		return nil, collector.Errorf(collector.EUnavailable, "", "cannot check the token now, retry later")
	}
	if rec == nil || rec.Revoked() || subtle.ConstantTimeCompare([]byte(rec.Hash), []byte(HashToken(plain))) != 1 {
		return nil, unauthorized
	}
	return rec, nil
}

// Revoke revokes token id.
func (t *Tokens) Revoke(ctx context.Context, id string) error {
	rec, err := t.Store.Token(ctx, id)
	if err != nil {
		return err
	}
	if rec == nil {
		return collector.Errorf(collector.ENotFound, "id", "no such token")
	}
	if rec.Revoked() {
		return nil
	}
	rec.RevokedAt = t.now()
	return t.Store.SaveToken(ctx, *rec)
}

// Allows reports whether a token with scopes may act in scope.
func Allows(scopes []string, scope string) bool {
	return slices.Contains(scopes, scope) || slices.Contains(scopes, ScopeAdmin)
}

func (t *Tokens) now() time.Time {
	if t.Now != nil {
		return t.Now().UTC().Truncate(time.Second)
	}
	return time.Now().UTC().Truncate(time.Second)
}

// ByID returns the record of the unrevoked token id (a dashboard session
// names its token by ID), or an unauthorized error.
func (t *Tokens) ByID(ctx context.Context, id string) (*store.Token, error) {
	rec, err := t.Store.Token(ctx, id)
	if err != nil {
		return nil, collector.Errorf(collector.EUnavailable, "", "cannot check the token now, retry later")
	}
	if rec == nil || rec.Revoked() {
		return nil, collector.Errorf(collector.EUnauthorized, "", "the session has ended: log in again")
	}
	return rec, nil
}
