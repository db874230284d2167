package ingest

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"io"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
)

// maxCodings bounds a Content-Encoding list such as "gzip, gzip".
const maxCodings = 2

// RequestBody returns the request body, decoded when it came with a
// Content-Encoding, or ErrTooLarge when it is over collector.MaxBodyBytes.
// Every endpoint that reads a body goes through it: the server reads
// bodies up to collector.ReadBodyLimit so that this answer reaches the
// client on a connection that stays usable.
//
// The limit holds for the decoded body as well: gzip and deflate are
// inflated through a reader that stops one byte past the limit, so a small
// body that inflates to gigabytes (a "zip bomb") costs at most
// MaxBodyBytes of memory. Other codings (br, zstd, compress) are refused
// with 415 unsupported_encoding rather than read as plain JSON.
func RequestBody(c *fiber.Ctx) ([]byte, error) {
	b := c.Request().Body() // as sent: fasthttp does not decode it
	if enc := c.Request().Header.Peek(fiber.HeaderContentEncoding); len(enc) > 0 {
		var err error
		if b, err = decodeBody(b, enc); err != nil { // a *collector.Error
			return nil, err
		}
	}
	if len(b) > collector.MaxBodyBytes {
		return nil, ErrTooLarge
	}
	return b, nil
}

// decodeBody undoes the codings of a Content-Encoding list, last applied
// first (RFC 9110, 8.4).
func decodeBody(b, header []byte) ([]byte, error) {
	codings := bytes.Split(header, []byte(","))
	if len(codings) > maxCodings {
		return nil, collector.Errorf(collector.EEncoding, "Content-Encoding", "at most %d codings", maxCodings)
	}
	for i := len(codings) - 1; i >= 0; i-- {
		coding := string(bytes.ToLower(bytes.TrimSpace(codings[i])))
		var (
			r   io.Reader
			err error
		)
		switch coding {
		case "identity", "":
			continue
		case "gzip", "x-gzip":
			r, err = gzip.NewReader(bytes.NewReader(b))
		case "deflate": // HTTP's deflate is the zlib format (RFC 9110, 8.4.1.2)
			r, err = zlib.NewReader(bytes.NewReader(b))
		default:
			return nil, collector.Errorf(collector.EEncoding, "Content-Encoding", "%.32q is not decoded; send gzip, deflate or no coding", coding)
		}
		if err == nil {
			b, err = readAtMost(r, collector.MaxBodyBytes)
		}
		if err == ErrTooLarge {
			return nil, err
		} else if err != nil {
			return nil, collector.Errorf(collector.EInvalid, "body", "cannot decode the %s body", coding)
		}
	}
	return b, nil
}

// readAtMost reads r to its end, or fails with ErrTooLarge as soon as it
// yields more than limit bytes.
func readAtMost(r io.Reader, limit int) ([]byte, error) {
	out, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(out) > limit {
		return nil, ErrTooLarge
	}
	return out, nil
}
