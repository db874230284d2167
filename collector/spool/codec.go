package spool

import (
	"encoding/binary"
	"fmt"
	"slices"
	"time"
)

// The building blocks of the spools' binary records (an event here, a
// consent decision in package ledger): uvarint and varint are
// encoding/binary's; a string is a uvarint length then its bytes; a list
// is a uvarint count then its strings; a time is varint Unix seconds then
// uvarint nanoseconds, decoded as UTC.

// AppendString appends the encoding of s.
func AppendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// AppendList appends the encoding of l.
func AppendList(dst []byte, l []string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(l)))
	for _, s := range l {
		dst = AppendString(dst, s)
	}
	return dst
}

// AppendTime appends the encoding of t.
func AppendTime(dst []byte, t time.Time) []byte {
	dst = binary.AppendVarint(dst, t.Unix())
	return binary.AppendUvarint(dst, uint64(t.Nanosecond()))
}

// AppendBool appends b as a byte, 0 or 1.
func AppendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, 1)
	}
	return append(dst, 0)
}

// Decoder reads an encoded record from one string, so that every decoded
// string is a substring of it (one allocation for all of them). After the
// first error it returns zero values; Finish reports it.
type Decoder struct {
	s   string
	off int
	err string
}

// NewDecoder reads b from offset off.
func NewDecoder(b []byte, off int) Decoder { return Decoder{s: string(b), off: off} }

// Fail records msg as the error (the first one stays) and stops reading.
func (d *Decoder) Fail(msg string) {
	if d.err == "" {
		d.err = msg
	}
	d.off = len(d.s)
}

// Finish returns the first error, or an error when bytes are left.
func (d *Decoder) Finish() error {
	if d.err == "" && d.off != len(d.s) {
		d.Fail("trailing bytes")
	}
	if d.err != "" {
		return fmt.Errorf("%s at byte %d", d.err, d.off)
	}
	return nil
}

// Bytes reads n bytes.
func (d *Decoder) Bytes(n int) string {
	if d.err != "" {
		return ""
	}
	if n > len(d.s)-d.off {
		d.Fail("truncated")
		return ""
	}
	v := d.s[d.off : d.off+n]
	d.off += n
	return v
}

// Byte reads one byte.
func (d *Decoder) Byte() byte {
	if v := d.Bytes(1); v != "" {
		return v[0]
	}
	return 0
}

// Uvarint reads a uvarint.
func (d *Decoder) Uvarint() uint64 {
	var v uint64
	for shift := uint(0); d.err == ""; shift += 7 {
		if d.off >= len(d.s) {
			d.Fail("truncated")
			break
		}
		c := d.s[d.off]
		d.off++
		if shift == 63 && c > 1 {
			d.Fail("varint overflow")
			break
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	return 0
}

// Varint reads a varint (zig-zag, as binary.AppendVarint).
func (d *Decoder) Varint() int64 {
	u := d.Uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

// Str reads a string.
func (d *Decoder) Str() string {
	n := d.Uvarint()
	if n > uint64(len(d.s)-d.off) {
		d.Fail("truncated string")
		return ""
	}
	return d.Bytes(int(n))
}

// List reads a list into dst's storage (dst itself when empty).
func (d *Decoder) List(dst []string) []string {
	n := d.Uvarint()
	// Every string takes at least one byte: this bounds the allocation.
	if n > uint64(len(d.s)-d.off) {
		d.Fail("bad list length")
		return dst
	}
	if n == 0 {
		return dst
	}
	dst = slices.Grow(dst[:0], int(n))
	for range n {
		dst = append(dst, d.Str())
	}
	return dst
}

// Time reads a time.
func (d *Decoder) Time() time.Time {
	sec, nsec := d.Varint(), d.Uvarint()
	if nsec >= 1e9 {
		d.Fail("nanoseconds out of range")
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

// Bool reads a byte that must be 0 or 1.
func (d *Decoder) Bool() bool {
	switch d.Byte() {
	case 0:
		return false
	case 1:
		return true
	}
	d.Fail("bad bool")
	return false
}
