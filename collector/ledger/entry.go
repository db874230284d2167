package ledger

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ashiato/ashiato/collector/consent"
)

// The payload of a consent spool record: a version byte, then the JSON of
// a consent.Entry. Decisions are few next to hits (one per visitor and
// change of mind), so a readable, self-describing encoding costs nothing
// that matters. To change it: add fields to consent.Entry (JSON ignores
// unknown ones, and old records leave new ones zero); a change that old
// decoders must refuse gets a new version byte.
const entryVersion = 1

// ErrBadEntry reports a payload that is not a valid encoded entry.
var ErrBadEntry = errors.New("ledger: bad entry encoding")

// AppendEntry appends the encoding of e to dst.
func AppendEntry(dst []byte, e *consent.Entry) ([]byte, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return dst, fmt.Errorf("encode consent entry: %w", err)
	}
	return append(append(dst, entryVersion), b...), nil
}

// DecodeEntry decodes b, written by AppendEntry. An entry without a
// consent ID or site is refused: nothing could be stored or found by it.
func DecodeEntry(b []byte) (consent.Entry, error) {
	var e consent.Entry
	if len(b) == 0 || b[0] != entryVersion {
		return e, fmt.Errorf("%w: unknown version", ErrBadEntry)
	}
	if err := json.Unmarshal(b[1:], &e); err != nil {
		return e, fmt.Errorf("%w: %w", ErrBadEntry, err)
	}
	if e.Decision.ConsentID == "" || e.Decision.SiteID == "" {
		return e, fmt.Errorf("%w: no consent ID or site", ErrBadEntry)
	}
	return e, nil
}
