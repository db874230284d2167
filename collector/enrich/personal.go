package enrich

import (
	"regexp"
	"strings"
)

// Query parameters that look like personal data or a secret are dropped
// from every page URL, whatever the visitor's consent: a page's query may
// carry what a form or a sign-in link put there (e-mail addresses, phone
// numbers, password-reset and session tokens), which no purpose of
// analytics needs. This is the one place that rule lives (ParseURL, for
// the page's query and a hash route's); the consent gate then narrows the
// query further in anonymous mode. docs/PRIVACY.md states the rule.

// personalWords are words of a parameter name that mark it as personal or
// secret. A name is split into words at every character that is not a
// letter or a digit and where a lower-case letter meets an upper-case one
// ("access_token", "userEmail", "Phone-Number"); the name with those
// separators removed counts as one more word ("e-mail", "api_key").
var personalWords = map[string]bool{
	"email": true, "mail": true, "phone": true, "tel": true, "telephone": true, "mobile": true, "fax": true,
	"token": true, "secret": true, "password": true, "passwd": true, "pwd": true, "passcode": true, "otp": true,
	"apikey": true, "auth": true, "jwt": true, "credential": true, "credentials": true, "signature": true, "sig": true,
	"session": true, "sessionid": true, "sid": true, "phpsessid": true, "jsessionid": true, "ssn": true,
}

// maxPersonalWord is longer than the longest of personalWords.
const maxPersonalWord = 16

// emailPattern matches an e-mail address anywhere in a value.
var emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)

// personalParam reports whether a query parameter, by its decoded name or
// value, looks like personal data or a secret.
func personalParam(name, value string) bool {
	return personalName(name) || personalValue(value)
}

// personalName reports whether a word of name (see personalWords) marks it
// as personal or secret.
func personalName(name string) bool {
	var joined [maxPersonalWord]byte
	n, words := 0, 0
	start := -1
	for i := 0; i <= len(name); i++ {
		var c byte
		if i < len(name) {
			c = name[i]
		}
		alnum := isAlnum(c)
		if alnum {
			if n < len(joined) {
				joined[n] = c
			}
			n++
		}
		boundary := !alnum || i > 0 && isUpper(c) && isLower(name[i-1])
		if boundary && start >= 0 {
			if personalWord(name[start:i]) {
				return true
			}
			start = -1
			words++
		}
		if alnum && start < 0 {
			start = i
		}
	}
	return words > 1 && n <= len(joined) && personalWord(string(joined[:n]))
}

// personalWord looks w up in personalWords, ignoring ASCII case, without
// allocating (a map index with a converted byte slice does not copy it).
func personalWord(w string) bool {
	if len(w) < 3 || len(w) > maxPersonalWord {
		return false
	}
	var b [maxPersonalWord]byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		if isUpper(c) {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return personalWords[string(b[:len(w)])]
}

// personalValue reports whether value looks like an e-mail address (or
// holds one), a phone number, a JSON Web Token or a random secret. Each
// test starts with a cheap check, so that ordinary values cost little.
func personalValue(v string) bool {
	switch {
	case strings.IndexByte(v, '@') > 0 && emailPattern.MatchString(v):
		return true
	case looksLikePhone(v):
		return true
	case strings.HasPrefix(v, "eyJ") && strings.Count(v, ".") >= 2: // header.payload.signature
		return true
	}
	return looksLikeSecret(v)
}

// looksLikePhone: 10 to 15 digits with nothing else than spaces, hyphens
// and parentheses between them and an optional leading "+", which starts
// with "+" or "0" or has a separator: "090-1234-5678", "+81 90 1234 5678",
// "(03) 1234-5678", "09012345678". A bare number that starts with another
// digit (a Unix time, an order number) is not one.
func looksLikePhone(v string) bool {
	if len(v) < 10 || len(v) > 24 {
		return false
	}
	digits, seps := 0, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' && i == 0:
		case c == ' ' || c == '-' || c == '(' || c == ')':
			seps++
		default:
			return false
		}
	}
	return digits >= 10 && digits <= 15 && (v[0] == '+' || v[0] == '0' || seps > 0)
}

// looksLikeSecret: at least 32 characters of a token alphabet (letters,
// digits, "-", "_", "+", "/", "=", ".", "~"), and either all hexadecimal
// (a hash or a key) or mixing upper-case, lower-case letters and digits
// (a random token). Campaign names ("spring_sale_2026") have no such mix.
func looksLikeSecret(v string) bool {
	if len(v) < 32 {
		return false
	}
	upper, lower, digit, hex := false, false, false, true
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case isUpper(c):
			upper = true
		case isLower(c):
			lower = true
		case c >= '0' && c <= '9':
			digit = true
		case strings.IndexByte("-_+/=.~", c) >= 0:
		default:
			return false
		}
		if !ishex(c) {
			hex = false
		}
	}
	return hex || upper && lower && digit
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isAlnum(c byte) bool { return isUpper(c) || isLower(c) || c >= '0' && c <= '9' }
