package ledger

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ashiato/ashiato/collector/consent"
	"github.com/ashiato/ashiato/collector/spool"
)

// The payload of a consent spool record: a version byte, then the entry.
//
// Version 2 (written now) is binary, in the spools' encoding
// (collector/spool/codec.go): the fields of consent.Entry in a fixed order,
// strings and lists as there, integers as varints, a time as a presence
// byte then the spool's time. It replaced version 1, the JSON of the entry, because the
// ledger's writer decodes a whole second of decisions at once: with JSON
// that took tens of milliseconds of one of the machine's cores every second,
// and those were where the decisions' slowest answers clustered (see
// docs/BENCHMARKS.md, "Consent decisions"). Version 1 records, left in the
// spool by an earlier release, are still read.
//
// To change it: a new field or order gets a new version byte, written by
// AppendEntry and read beside the old ones by DecodeEntry, so that records
// already in a spool are still read after an upgrade.
const (
	entryJSON   = 1
	entryBinary = 2
)

// ErrBadEntry reports a payload that is not a valid encoded entry.
var ErrBadEntry = errors.New("ledger: bad entry encoding")

// AppendEntry appends the encoding of e to dst.
func AppendEntry(dst []byte, e *consent.Entry) []byte {
	d := &e.Decision
	b := append(dst, entryBinary)
	for _, s := range [...]string{d.ConsentID, d.SiteID, d.VisitorID, d.UserID} {
		b = spool.AppendString(b, s)
	}
	b = appendTime(b, d.TS)
	b = spool.AppendList(b, d.Granted)
	b = spool.AppendList(b, d.Denied)
	b = binary.AppendVarint(b, int64(d.Revision))
	for _, s := range [...]string{d.TextsHash, d.Method, d.Lang, d.UAFamily} {
		b = spool.AppendString(b, s)
	}
	b = spool.AppendBool(b, d.GPC)
	b = appendTime(b, d.ExpiresAt)
	b = spool.AppendString(b, e.PrevVisitorID)
	b = spool.AppendString(b, e.Revokes)
	b = appendTime(b, e.RevokesExpiresAt)
	b = spool.AppendString(b, e.Replaces)
	return appendTime(b, e.ReplacesExpiresAt)
}

// DecodeEntry decodes b, written by AppendEntry (any version). An entry
// without a consent ID or site is refused: nothing could be stored or found
// by it.
func DecodeEntry(b []byte) (consent.Entry, error) {
	var e consent.Entry
	var err error
	switch {
	case len(b) == 0:
		err = errors.New("empty")
	case b[0] == entryBinary:
		err = decodeBinary(b, &e)
	case b[0] == entryJSON:
		err = json.Unmarshal(b[1:], &e)
	default:
		err = fmt.Errorf("unknown version %d", b[0])
	}
	if err != nil {
		return consent.Entry{}, fmt.Errorf("%w: %w", ErrBadEntry, err)
	}
	if e.Decision.ConsentID == "" || e.Decision.SiteID == "" {
		return consent.Entry{}, fmt.Errorf("%w: no consent ID or site", ErrBadEntry)
	}
	return e, nil
}

// decodeBinary decodes a version 2 record (its version byte included).
func decodeBinary(b []byte, e *consent.Entry) error {
	r := spool.NewDecoder(b, 1)
	d := &e.Decision
	d.ConsentID, d.SiteID, d.VisitorID, d.UserID = r.Str(), r.Str(), r.Str(), r.Str()
	d.TS = readTime(&r)
	d.Granted, d.Denied = r.List(nil), r.List(nil)
	d.Revision = int(r.Varint())
	d.TextsHash, d.Method, d.Lang, d.UAFamily = r.Str(), r.Str(), r.Str(), r.Str()
	d.GPC = r.Bool()
	d.ExpiresAt = readTime(&r)
	e.PrevVisitorID, e.Revokes = r.Str(), r.Str()
	e.RevokesExpiresAt = readTime(&r)
	e.Replaces = r.Str()
	e.ReplacesExpiresAt = readTime(&r)
	return r.Finish()
}

// appendTime appends a presence byte, then t when it is not zero.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	return spool.AppendTime(append(b, 1), t)
}

// readTime reads what appendTime wrote.
func readTime(r *spool.Decoder) time.Time {
	if !r.Bool() {
		return time.Time{}
	}
	return r.Time()
}
