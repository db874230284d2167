package ledger

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ashiato/ashiato/collector/consent"
)

// The payload of a consent spool record: a version byte, then the entry.
//
// Version 2 (written now) is binary: the fields of consent.Entry in a fixed
// order, strings and lists length-prefixed (uvarint), integers as varints,
// times as a presence byte then Unix seconds (varint) and nanoseconds
// (uvarint). It replaced version 1, the JSON of the entry, because the
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
		b = appendString(b, s)
	}
	b = appendTime(b, d.TS)
	b = appendStrings(b, d.Granted)
	b = appendStrings(b, d.Denied)
	b = binary.AppendVarint(b, int64(d.Revision))
	for _, s := range [...]string{d.TextsHash, d.Method, d.Lang, d.UAFamily} {
		b = appendString(b, s)
	}
	gpc := byte(0)
	if d.GPC {
		gpc = 1
	}
	b = append(b, gpc)
	b = appendTime(b, d.ExpiresAt)
	b = appendString(b, e.PrevVisitorID)
	b = appendString(b, e.Revokes)
	b = appendTime(b, e.RevokesExpiresAt)
	b = appendString(b, e.Replaces)
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
		err = decodeBinary(b[1:], &e)
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

func decodeBinary(b []byte, e *consent.Entry) error {
	// One string holds every text of the entry; the fields are slices of it.
	r := reader{s: string(b)}
	d := &e.Decision
	d.ConsentID, d.SiteID, d.VisitorID, d.UserID = r.str(), r.str(), r.str(), r.str()
	d.TS = r.time()
	d.Granted, d.Denied = r.strs(), r.strs()
	d.Revision = int(r.varint())
	d.TextsHash, d.Method, d.Lang, d.UAFamily = r.str(), r.str(), r.str(), r.str()
	switch r.byte() {
	case 0:
	case 1:
		d.GPC = true
	default:
		r.fail()
	}
	d.ExpiresAt = r.time()
	e.PrevVisitorID, e.Revokes = r.str(), r.str()
	e.RevokesExpiresAt = r.time()
	e.Replaces = r.str()
	e.ReplacesExpiresAt = r.time()
	switch {
	case r.bad:
		return errors.New("truncated or malformed")
	case len(r.s) > 0:
		return fmt.Errorf("%d bytes after the entry", len(r.s))
	}
	return nil
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
}

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	b = binary.AppendVarint(append(b, 1), t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// reader reads the fields of a binary entry from s; after the first
// malformed field it sets bad and returns zero values.
type reader struct {
	s   string
	bad bool
}

func (r *reader) fail() { r.bad, r.s = true, "" }

func (r *reader) byte() byte {
	if len(r.s) == 0 {
		r.fail()
		return 0
	}
	c := r.s[0]
	r.s = r.s[1:]
	return c
}

func (r *reader) uvarint() uint64 {
	v, n := uvarint(r.s)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.s = r.s[n:]
	return v
}

func (r *reader) varint() int64 {
	u := r.uvarint()
	return int64(u>>1) ^ -int64(u&1) // zig-zag, as binary.AppendVarint
}

func (r *reader) str() string {
	n := r.uvarint()
	if n > uint64(len(r.s)) {
		r.fail()
		return ""
	}
	s := r.s[:n]
	r.s = r.s[n:]
	return s
}

func (r *reader) strs() []string {
	n := r.uvarint()
	if n > uint64(len(r.s)) { // each string takes at least its length byte
		r.fail()
		return nil
	}
	if n == 0 {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = r.str()
	}
	return ss
}

func (r *reader) time() time.Time {
	switch r.byte() {
	case 0:
		return time.Time{}
	case 1:
	default:
		r.fail()
		return time.Time{}
	}
	sec, nsec := r.varint(), r.uvarint()
	if nsec >= 1e9 {
		r.fail()
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

// uvarint is binary.Uvarint for a string (no copy to a byte slice).
func uvarint(s string) (uint64, int) {
	var x uint64
	var shift uint
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		c := s[i]
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				return 0, -(i + 1) // overflow
			}
			return x | uint64(c)<<shift, i + 1
		}
		x |= uint64(c&0x7f) << shift
		shift += 7
	}
	return 0, 0
}
