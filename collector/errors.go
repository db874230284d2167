package collector

import (
	"errors"
	"fmt"
)

// Error codes: the machine-readable reasons that reach clients. They are
// mapped to HTTP status codes in exactly one place (ingest).
const (
	EInvalid          = "invalid"              // a field is malformed or out of range
	ETooLarge         = "too_large"            // body above MaxBodyBytes (after decompression)
	EEncoding         = "unsupported_encoding" // a Content-Encoding the collector does not decode
	EUnknownSite      = "unknown_site"         // site not configured
	EOriginDenied     = "origin_denied"        // Origin not allowed for the site
	EConsentRequired  = "consent_required"
	EAudienceTooSmall = "audience_too_small" // an audience export of fewer people than the site's audience_min_size
	EOverloaded       = "overloaded"         // queue or spool full
	ERateLimited      = "rate_limited"       // one client sends too fast
	EUnavailable      = "unavailable"        // storage failing
	ENotFound         = "not_found"
	EUnauthorized     = "unauthorized"
	EForbidden        = "forbidden"
	EInternal         = "internal"
)

// Error codes of identify assertions.
const (
	EAssertionRequired = "assertion_required" // identify without the site's signed assertion, on a site that requires one
	EAssertionInvalid  = "assertion_invalid"  // a signed assertion that does not verify
)

// Error is a domain error with a code, the offending field and a short
// reason that is safe to show to a browser.
type Error struct {
	Code   string
	Field  string
	Reason string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Reason)
}

// Errorf returns an *Error with code, field and a formatted reason.
func Errorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, or EInternal if err is not an *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}
