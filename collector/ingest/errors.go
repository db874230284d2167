package ingest

import (
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
)

// RetryAfter is the Retry-After, in seconds, sent with 429 and 503.
const RetryAfter = 2

// Status maps a domain error code to its HTTP status. It is the one place
// where that mapping lives.
func Status(code string) int {
	switch code {
	case collector.EInvalid:
		return http.StatusBadRequest
	case collector.ETooLarge:
		return http.StatusRequestEntityTooLarge
	case collector.EEncoding:
		return http.StatusUnsupportedMediaType
	case collector.EUnknownSite, collector.EOriginDenied, collector.EConsentRequired, collector.EForbidden, collector.EAudienceTooSmall,
		collector.EAssertionRequired, collector.EAssertionInvalid:
		return http.StatusForbidden
	case collector.EUnauthorized:
		return http.StatusUnauthorized
	case collector.ENotFound:
		return http.StatusNotFound
	case collector.ERateLimited:
		return http.StatusTooManyRequests
	case collector.EOverloaded, collector.EUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// ErrorBody is the JSON body of every error answer.
type ErrorBody struct {
	Error  string `json:"error"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason,omitempty"`
}

func bodyOf(err *collector.Error) ErrorBody {
	return ErrorBody{Error: err.Code, Field: err.Field, Reason: err.Reason}
}

// WriteError answers err as JSON with its status (and Retry-After where due).
// Errors that are not *collector.Error become a bare 500 without internals.
func WriteError(c *fiber.Ctx, err error) error {
	e, ok := err.(*collector.Error)
	if !ok {
		e = &collector.Error{Code: collector.EInternal, Reason: "internal error"}
	}
	st := Status(e.Code)
	if st == http.StatusTooManyRequests || st == http.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(RetryAfter))
	}
	return c.Status(st).JSON(bodyOf(e))
}

// ErrTooLarge answers a body over collector.MaxBodyBytes.
var ErrTooLarge = collector.Errorf(collector.ETooLarge, "body", "larger than %d bytes", collector.MaxBodyBytes)
