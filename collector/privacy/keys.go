// Package privacy keeps the promises about a data subject: the identity
// join (visitor ID ↔ user ID, only as consented), suppression of erased
// subjects, stop of use, access (export), erasure with a receipt, and
// retention. The HTTP layers (ingest, admin) and the CLI call it; it talks
// to ClickHouse through the store.
package privacy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync"

	"github.com/ashiato/ashiato/collector"
)

// Keyer derives keyed hashes from the server secret: stored user IDs of
// sites that hash them, subject keys in suppression lists and audit rows,
// and the pseudonyms that replace an erased subject's keys in the ledger.
type Keyer struct {
	key  []byte
	macs sync.Pool // hash.Hash (HMAC-SHA256 with key), reset before use
}

// NewKeyer returns a Keyer for the server secret.
func NewKeyer(secret []byte) *Keyer {
	k := &Keyer{key: append([]byte(nil), secret...)}
	k.macs.New = func() any { return hmac.New(sha256.New, k.key) }
	return k
}

// sum is the keyed hash of domain and parts, truncated to 128 bits.
func (k *Keyer) sum(domain string, parts ...string) [16]byte {
	m := k.macs.Get().(hash.Hash)
	m.Reset()
	var buf [64]byte
	b := append(append(buf[:0], "ashiato/"...), domain...)
	for _, p := range parts {
		b = append(append(b, 0), p...)
	}
	m.Write(b)
	var full [sha256.Size]byte
	var out [16]byte
	copy(out[:], m.Sum(full[:0]))
	k.macs.Put(m)
	return out
}

func (k *Keyer) mac(domain string, parts ...string) string {
	s := k.sum(domain, parts...)
	return hex.EncodeToString(s[:])
}

// keySum is KeyHash before hex encoding: the in-memory form.
func (k *Keyer) keySum(site, kind, key string) [16]byte { return k.sum("subject", site, kind, key) }

// StoredUserID returns the user ID as site stores it: as given, or a keyed
// hash when the site hashes user IDs.
func (k *Keyer) StoredUserID(site *collector.Site, userID string) string {
	if site == nil || !site.UserIDHashing || userID == "" {
		return userID
	}
	return "h1:" + k.mac("user_id", site.ID, userID)
}

// KeyHash is the keyed hash that names a subject key (kind "visitor" or
// "user", the key as stored) without revealing it.
func (k *Keyer) KeyHash(site, kind, key string) string { return k.mac("subject", site, kind, key) }

// pseudonymPrefix starts every pseudonym in the consent ledger.
const pseudonymPrefix = "erased:"

// Pseudonym replaces an erased subject key in the consent ledger.
func (k *Keyer) Pseudonym(site, kind, key string) string {
	return pseudonymPrefix + k.mac("ledger", site, kind, key)
}
