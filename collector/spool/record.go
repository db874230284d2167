package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ashiato/ashiato/collector"
)

// The binary encoding of a collector.Event, the payload of a spool record.
//
// Layout of version 1, in this order (uvarint and varint are
// encoding/binary's; a string is a uvarint length then its bytes; a list is
// a uvarint count then its strings):
//
//	version byte = 1
//	EventID        16 bytes
//	TS             varint Unix seconds, uvarint nanoseconds (decoded as UTC)
//	SiteID, Type, Name, URLHost, URLPath, URLQuery, Title, Referrer,
//	RefHost, RefSource, RefName, UTMSource, UTMMedium, UTMCampaign,
//	UTMTerm, UTMContent, ClickIDType, ClickID, Screen, Lang, Browser,
//	BrowserVersion, OS, OSVersion, DeviceType, Country, VisitorID  strings
//	VisitorHash    8 bytes, little endian
//	SessionID, UserID, ConsentID  strings
//	Purposes       list
//	IsBot          byte, 0 or 1
//	BotReason      string
//	EngagedMS      uvarint
//	ScrollDepth    byte
//	PropKeys       list
//	PropValues     list
//
// Version 2 appends:
//
//	ReceivedAt     varint Unix seconds, uvarint nanoseconds (decoded as UTC)
//	UAKey          uvarint (in-process key of a User-Agent still being parsed)
//
// Version 3 appends:
//
//	flags          byte; bit 0: MaybeStored (an earlier copy may be stored)
//
// To add a field to Event: append its encoding at the end of AppendEvent,
// bump eventVersion, and in DecodeEvent read it only when the record's
// version is at least the new one (older records leave it zero). Never
// reorder or drop fields of an existing version: records written by the
// previous binary may still sit in the spool when the new one starts. A
// record of a version newer than the decoder knows is refused.
const eventVersion = 3

// ErrBadEvent reports a payload that is not a valid encoded event.
var ErrBadEvent = errors.New("spool: bad event encoding")

// AppendEvent appends the binary encoding of e to dst.
func AppendEvent(dst []byte, e *collector.Event) []byte {
	dst = append(dst, eventVersion)
	dst = append(dst, e.EventID[:]...)
	dst = binary.AppendVarint(dst, e.TS.Unix())
	dst = binary.AppendUvarint(dst, uint64(e.TS.Nanosecond()))
	for _, s := range [...]string{
		e.SiteID, e.Type, e.Name, e.URLHost, e.URLPath, e.URLQuery, e.Title, e.Referrer,
		e.RefHost, e.RefSource, e.RefName, e.UTMSource, e.UTMMedium, e.UTMCampaign,
		e.UTMTerm, e.UTMContent, e.ClickIDType, e.ClickID, e.Screen, e.Lang, e.Browser,
		e.BrowserVersion, e.OS, e.OSVersion, e.DeviceType, e.Country, e.VisitorID,
	} {
		dst = appendString(dst, s)
	}
	dst = binary.LittleEndian.AppendUint64(dst, e.VisitorHash)
	dst = appendString(dst, e.SessionID)
	dst = appendString(dst, e.UserID)
	dst = appendString(dst, e.ConsentID)
	dst = appendList(dst, e.Purposes)
	dst = append(dst, boolByte(e.IsBot))
	dst = appendString(dst, e.BotReason)
	dst = binary.AppendUvarint(dst, uint64(e.EngagedMS))
	dst = append(dst, e.ScrollDepth)
	dst = appendList(dst, e.PropKeys)
	dst = appendList(dst, e.PropValues)
	dst = binary.AppendVarint(dst, e.ReceivedAt.Unix())
	dst = binary.AppendUvarint(dst, uint64(e.ReceivedAt.Nanosecond()))
	dst = binary.AppendUvarint(dst, e.UAKey)
	return append(dst, boolByte(e.MaybeStored))
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func appendList(dst []byte, l []string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(l)))
	for _, s := range l {
		dst = appendString(dst, s)
	}
	return dst
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// DecodeEvent decodes b, written by AppendEvent, into e, replacing all of
// its fields. The strings of e share one allocation and do not refer to b;
// the slices of e are reused when they have room.
func DecodeEvent(b []byte, e *collector.Event) error {
	if len(b) == 0 {
		return fmt.Errorf("%w: empty", ErrBadEvent)
	}
	if v := b[0]; v == 0 || v > eventVersion {
		return fmt.Errorf("%w: unknown version %d", ErrBadEvent, v)
	}
	d := decoder{s: string(b), off: 1}
	*e = collector.Event{Purposes: e.Purposes[:0], PropKeys: e.PropKeys[:0], PropValues: e.PropValues[:0]}
	copy(e.EventID[:], d.bytes(16))
	sec, nsec := d.varint(), d.uvarint()
	if nsec >= 1e9 {
		d.fail("nanoseconds out of range")
	}
	e.TS = time.Unix(sec, int64(nsec)).UTC()
	for _, p := range [...]*string{
		&e.SiteID, &e.Type, &e.Name, &e.URLHost, &e.URLPath, &e.URLQuery, &e.Title, &e.Referrer,
		&e.RefHost, &e.RefSource, &e.RefName, &e.UTMSource, &e.UTMMedium, &e.UTMCampaign,
		&e.UTMTerm, &e.UTMContent, &e.ClickIDType, &e.ClickID, &e.Screen, &e.Lang, &e.Browser,
		&e.BrowserVersion, &e.OS, &e.OSVersion, &e.DeviceType, &e.Country, &e.VisitorID,
	} {
		*p = d.str()
	}
	if h := d.bytes(8); h != "" {
		e.VisitorHash = uint64(h[0]) | uint64(h[1])<<8 | uint64(h[2])<<16 | uint64(h[3])<<24 |
			uint64(h[4])<<32 | uint64(h[5])<<40 | uint64(h[6])<<48 | uint64(h[7])<<56
	}
	e.SessionID = d.str()
	e.UserID = d.str()
	e.ConsentID = d.str()
	e.Purposes = d.list(e.Purposes)
	switch d.byte() {
	case 0:
	case 1:
		e.IsBot = true
	default:
		d.fail("bad bool")
	}
	e.BotReason = d.str()
	if ms := d.uvarint(); ms <= math.MaxUint32 {
		e.EngagedMS = uint32(ms)
	} else {
		d.fail("engaged_ms out of range")
	}
	e.ScrollDepth = d.byte()
	e.PropKeys = d.list(e.PropKeys)
	e.PropValues = d.list(e.PropValues)
	if b[0] >= 2 {
		sec, nsec := d.varint(), d.uvarint()
		if nsec >= 1e9 {
			d.fail("nanoseconds out of range")
		}
		e.ReceivedAt = time.Unix(sec, int64(nsec)).UTC()
		e.UAKey = d.uvarint()
	} else {
		e.ReceivedAt = e.TS
	}
	if b[0] >= 3 {
		switch d.byte() {
		case 0:
		case 1:
			e.MaybeStored = true
		default:
			d.fail("bad flags")
		}
	}
	if d.err == "" && d.off != len(d.s) {
		d.fail("trailing bytes")
	}
	if d.err != "" {
		return fmt.Errorf("%w: %s at byte %d", ErrBadEvent, d.err, d.off)
	}
	return nil
}

// decoder reads an encoded event from one string, so that every decoded
// string is a substring of it. After the first error it returns zero values.
type decoder struct {
	s   string
	off int
	err string
}

func (d *decoder) fail(msg string) {
	if d.err == "" {
		d.err = msg
	}
	d.off = len(d.s)
}

func (d *decoder) bytes(n int) string {
	if d.err != "" {
		return ""
	}
	if n > len(d.s)-d.off {
		d.fail("truncated")
		return ""
	}
	v := d.s[d.off : d.off+n]
	d.off += n
	return v
}

func (d *decoder) byte() byte {
	if v := d.bytes(1); v != "" {
		return v[0]
	}
	return 0
}

func (d *decoder) uvarint() uint64 {
	var v uint64
	for shift := uint(0); d.err == ""; shift += 7 {
		if d.off >= len(d.s) {
			d.fail("truncated")
			break
		}
		c := d.s[d.off]
		d.off++
		if shift == 63 && c > 1 {
			d.fail("varint overflow")
			break
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	return 0
}

func (d *decoder) varint() int64 {
	u := d.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

func (d *decoder) str() string {
	n := d.uvarint()
	if n > uint64(len(d.s)-d.off) {
		d.fail("truncated string")
		return ""
	}
	return d.bytes(int(n))
}

func (d *decoder) list(dst []string) []string {
	n := d.uvarint()
	// Every string takes at least one byte: this bounds the allocation.
	if n > uint64(len(d.s)-d.off) {
		d.fail("bad list length")
		return dst
	}
	if n == 0 {
		return dst
	}
	dst = slices.Grow(dst[:0], int(n))
	for range n {
		dst = append(dst, d.str())
	}
	return dst
}
