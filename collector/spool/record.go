package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

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
	dst = AppendTime(dst, e.TS)
	for _, s := range [...]string{
		e.SiteID, e.Type, e.Name, e.URLHost, e.URLPath, e.URLQuery, e.Title, e.Referrer,
		e.RefHost, e.RefSource, e.RefName, e.UTMSource, e.UTMMedium, e.UTMCampaign,
		e.UTMTerm, e.UTMContent, e.ClickIDType, e.ClickID, e.Screen, e.Lang, e.Browser,
		e.BrowserVersion, e.OS, e.OSVersion, e.DeviceType, e.Country, e.VisitorID,
	} {
		dst = AppendString(dst, s)
	}
	dst = binary.LittleEndian.AppendUint64(dst, e.VisitorHash)
	dst = AppendString(dst, e.SessionID)
	dst = AppendString(dst, e.UserID)
	dst = AppendString(dst, e.ConsentID)
	dst = AppendList(dst, e.Purposes)
	dst = AppendBool(dst, e.IsBot)
	dst = AppendString(dst, e.BotReason)
	dst = binary.AppendUvarint(dst, uint64(e.EngagedMS))
	dst = append(dst, e.ScrollDepth)
	dst = AppendList(dst, e.PropKeys)
	dst = AppendList(dst, e.PropValues)
	dst = AppendTime(dst, e.ReceivedAt)
	dst = binary.AppendUvarint(dst, e.UAKey)
	return AppendBool(dst, e.MaybeStored)
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
	d := NewDecoder(b, 1)
	*e = collector.Event{Purposes: e.Purposes[:0], PropKeys: e.PropKeys[:0], PropValues: e.PropValues[:0]}
	copy(e.EventID[:], d.Bytes(16))
	e.TS = d.Time()
	for _, p := range [...]*string{
		&e.SiteID, &e.Type, &e.Name, &e.URLHost, &e.URLPath, &e.URLQuery, &e.Title, &e.Referrer,
		&e.RefHost, &e.RefSource, &e.RefName, &e.UTMSource, &e.UTMMedium, &e.UTMCampaign,
		&e.UTMTerm, &e.UTMContent, &e.ClickIDType, &e.ClickID, &e.Screen, &e.Lang, &e.Browser,
		&e.BrowserVersion, &e.OS, &e.OSVersion, &e.DeviceType, &e.Country, &e.VisitorID,
	} {
		*p = d.Str()
	}
	if h := d.Bytes(8); h != "" {
		e.VisitorHash = uint64(h[0]) | uint64(h[1])<<8 | uint64(h[2])<<16 | uint64(h[3])<<24 |
			uint64(h[4])<<32 | uint64(h[5])<<40 | uint64(h[6])<<48 | uint64(h[7])<<56
	}
	e.SessionID = d.Str()
	e.UserID = d.Str()
	e.ConsentID = d.Str()
	e.Purposes = d.List(e.Purposes)
	e.IsBot = d.Bool()
	e.BotReason = d.Str()
	if ms := d.Uvarint(); ms <= math.MaxUint32 {
		e.EngagedMS = uint32(ms)
	} else {
		d.Fail("engaged_ms out of range")
	}
	e.ScrollDepth = d.Byte()
	e.PropKeys = d.List(e.PropKeys)
	e.PropValues = d.List(e.PropValues)
	if b[0] >= 2 {
		e.ReceivedAt = d.Time()
		e.UAKey = d.Uvarint()
	} else {
		e.ReceivedAt = e.TS
	}
	if b[0] >= 3 {
		switch d.Byte() {
		case 0:
		case 1:
			e.MaybeStored = true
		default:
			d.Fail("bad flags")
		}
	}
	if err := d.Finish(); err != nil {
		return fmt.Errorf("%w: %w", ErrBadEvent, err)
	}
	return nil
}
