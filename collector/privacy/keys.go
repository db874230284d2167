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

	"github.com/ashiato/ashiato/collector"
)

// Keyer derives keyed hashes from the server secret: stored user IDs of
// sites that hash them, subject keys in suppression lists and audit rows,
// and the pseudonyms that replace an erased subject's keys in the ledger.
type Keyer struct{ key []byte }

// NewKeyer returns a Keyer for the server secret.
func NewKeyer(secret []byte) *Keyer { return &Keyer{key: append([]byte(nil), secret...)} }

func (k *Keyer) mac(domain string, parts ...string) string {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte("ashiato/" + domain))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return hex.EncodeToString(m.Sum(nil)[:16])
}

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

// Pseudonym replaces an erased subject key in the consent ledger.
func (k *Keyer) Pseudonym(site, kind, key string) string {
	return "erased:" + k.mac("ledger", site, kind, key)
}
