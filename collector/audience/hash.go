// Package audience turns segments into audience exports: it lists a
// segment's subjects now, has the privacy service check each one's consent
// again against the ledger (and refuse an audience below the site's
// audience_min_size), writes the file in an ad platform's format with
// identifiers normalised and hashed as that platform documents, records
// who left in audience_members, and audits the export.
package audience

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// sha256Hex is the lower-case hex SHA-256 of s, as both platforms want it.
func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// GoogleEmail normalises an e-mail address as Google documents it for
// Customer Match (the Data Manager API's "Format user data" page): lower
// case, whitespace removed (leading, trailing and inside), and for
// gmail.com and googlemail.com addresses every '.' before the '@' removed
// and a '+' with all that follows it in the local part removed; other
// domains keep their dots and '+'. It returns "" for something that is not
// an address.
func GoogleEmail(email string) string {
	e := strings.ToLower(strings.Join(strings.Fields(email), ""))
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || domain == "" {
		return ""
	}
	if domain == "gmail.com" || domain == "googlemail.com" {
		local, _, _ = strings.Cut(local, "+")
		local = strings.ReplaceAll(local, ".", "")
		if local == "" {
			return ""
		}
	}
	return local + "@" + domain
}

// GooglePhone normalises a phone number to E.164 as Google Customer Match
// wants it: "+", the country code and the number, digits only. A number
// written without its country code ("+" or "00" first) cannot be put in
// E.164 and gives "".
func GooglePhone(phone string) string {
	d, ok := internationalDigits(phone)
	if !ok {
		return ""
	}
	return "+" + d
}

// MetaEmail normalises an e-mail address as Meta's custom audiences
// document it: whitespace trimmed, lower case.
func MetaEmail(email string) string {
	e := strings.ToLower(strings.TrimSpace(email))
	if local, domain, ok := strings.Cut(e, "@"); !ok || local == "" || domain == "" {
		return ""
	}
	return e
}

// MetaPhone normalises a phone number as Meta's custom audiences document
// it: digits only, with the country code, no '+' and no leading zeros.
// A number written without its country code gives "".
func MetaPhone(phone string) string {
	d, ok := internationalDigits(phone)
	if !ok {
		return ""
	}
	return d
}

// internationalDigits returns the digits of a number written in the
// international form ("+81 90-1234-5678", "0081 90 1234 5678"): the country
// code and the number, without leading zeros. Anything else (a national
// number, letters) is refused: we do not guess a country.
func internationalDigits(phone string) (string, bool) {
	p := strings.TrimSpace(phone)
	switch {
	case strings.HasPrefix(p, "+"):
		p = p[1:]
	case strings.HasPrefix(p, "00"):
		p = p[2:]
	default:
		return "", false
	}
	var b strings.Builder
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return "", false
		}
	}
	d := strings.TrimLeft(b.String(), "0")
	if len(d) < 8 || len(d) > 15 { // E.164: at most 15 digits with the country code
		return "", false
	}
	return d, true
}
