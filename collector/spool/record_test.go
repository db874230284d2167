package spool

import (
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector"
)

// sampleEvent is a realistic event with every field set.
func sampleEvent() collector.Event {
	return collector.Event{
		EventID:        [16]byte{0x01, 0x8f, 0x3a, 0x4b, 0x5c, 0x6d, 0x7e, 0x8f, 0x90, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07},
		SiteID:         "demo",
		TS:             time.Date(2025, 3, 14, 9, 26, 53, 589793238, time.UTC),
		Type:           collector.TypePageview,
		Name:           "",
		URLHost:        "shop.example.jp",
		URLPath:        "/products/kettle-12",
		URLQuery:       "color=red",
		Title:          "電気ケトル 1.2L | Example Shop",
		Referrer:       "www.google.com/",
		RefHost:        "www.google.com",
		RefSource:      "search",
		RefName:        "Google",
		UTMSource:      "newsletter",
		UTMMedium:      "email",
		UTMCampaign:    "spring-sale",
		UTMTerm:        "kettle",
		UTMContent:     "hero",
		ClickIDType:    "gclid",
		ClickID:        "Cj0KCQjw-abc",
		Screen:         "1920x1080",
		Lang:           "ja-JP",
		Browser:        "Chrome",
		BrowserVersion: "124.0",
		OS:             "Windows",
		OSVersion:      "10",
		DeviceType:     "desktop",
		Country:        "JP",
		VisitorID:      "v-2b7e1516",
		VisitorHash:    0xdeadbeefcafef00d,
		SessionID:      "s-28aed2a6",
		UserID:         "u-42",
		ConsentID:      "c-abf71588",
		Purposes:       []string{"necessary", "analytics"},
		IsBot:          true,
		BotReason:      "webdriver",
		EngagedMS:      45123,
		ScrollDepth:    87,
		PropKeys:       []string{"plan", "variant"},
		PropValues:     []string{"pro", "B"},
		MaybeStored:    true,
	}
}

// eventsEqual compares events, taking a nil and an empty slice as equal and
// times by instant.
func eventsEqual(a, b collector.Event) bool {
	if !a.TS.Equal(b.TS) {
		return false
	}
	a.TS, b.TS = time.Time{}, time.Time{}
	for _, p := range []*[]string{&a.Purposes, &b.Purposes, &a.PropKeys, &b.PropKeys, &a.PropValues, &b.PropValues} {
		if len(*p) == 0 {
			*p = nil
		}
	}
	return reflect.DeepEqual(a, b)
}

func TestEventRoundTrip(t *testing.T) {
	full := sampleEvent()
	tests := []struct {
		name string
		e    collector.Event
	}{
		{"every field", full},
		{"zero event", collector.Event{}},
		{"zero time", func() collector.Event { e := full; e.TS = time.Time{}; return e }()},
		{"before 1970", func() collector.Event { e := full; e.TS = time.Date(1960, 1, 2, 3, 4, 5, 6, time.UTC); return e }()},
		{"other time zone", func() collector.Event {
			e := full
			e.TS = time.Date(2025, 1, 1, 9, 0, 0, 0, time.FixedZone("JST", 9*3600))
			return e
		}()},
		{"maximum numbers", func() collector.Event {
			e := full
			e.EngagedMS, e.ScrollDepth, e.VisitorHash = 1<<32-1, 255, 1<<64-1
			return e
		}()},
		{"long strings", func() collector.Event {
			e := full
			e.URLPath = "/" + strings.Repeat("x", collector.MaxURLLen)
			e.PropKeys = make([]string, collector.MaxProps)
			e.PropValues = make([]string, collector.MaxProps)
			for i := range e.PropKeys {
				e.PropKeys[i] = strings.Repeat("k", collector.MaxPropKeyLen)
				e.PropValues[i] = strings.Repeat("v", collector.MaxPropValueLen)
			}
			return e
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := AppendEvent(nil, &tt.e)
			var got collector.Event
			if err := DecodeEvent(b, &got); err != nil {
				t.Fatalf("DecodeEvent: %v", err)
			}
			if !eventsEqual(got, tt.e) {
				t.Fatalf("round trip changed the event:\n got %+v\nwant %+v", got, tt.e)
			}
			if got.TS.Location() != time.UTC {
				t.Errorf("decoded time in %v, want UTC", got.TS.Location())
			}
		})
	}
}

func TestDecodeEventReplacesEverything(t *testing.T) {
	old := sampleEvent()
	b := AppendEvent(nil, &collector.Event{SiteID: "x"})
	if err := DecodeEvent(b, &old); err != nil {
		t.Fatal(err)
	}
	if !eventsEqual(old, collector.Event{SiteID: "x"}) {
		t.Fatalf("fields of the previous event survived: %+v", old)
	}
}

func TestDecodeEventStringsDoNotAliasInput(t *testing.T) {
	e := sampleEvent()
	b := AppendEvent(nil, &e)
	var got collector.Event
	if err := DecodeEvent(b, &got); err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = 0
	}
	if got.URLHost != e.URLHost || got.PropValues[0] != e.PropValues[0] {
		t.Fatal("decoded strings changed with the input buffer")
	}
}

func TestDecodeEventErrors(t *testing.T) {
	e := sampleEvent()
	good := AppendEvent(nil, &e)
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"version 0", append([]byte{0}, good[1:]...)},
		{"newer version", append([]byte{eventVersion + 1}, good[1:]...)},
		{"truncated", good[:len(good)-1]},
		{"truncated in the ID", good[:10]},
		{"trailing byte", append(good[:len(good):len(good)], 0)},
		// A zero event ends with IsBot, BotReason, EngagedMS, ScrollDepth,
		// PropKeys and PropValues, one zero byte each.
		{"huge list", func() []byte {
			z := AppendEvent(nil, &collector.Event{})
			t := tailLen()
			return append(append(z[:len(z)-1-t:len(z)-1-t], 0xff, 0xff, 0xff, 0x0f), z[len(z)-t:]...)
		}()},
		{"bad bool", func() []byte {
			z := AppendEvent(nil, &collector.Event{})
			z[len(z)-6-tailLen()] = 7
			return z
		}()},
		{"bad flags", func() []byte {
			z := AppendEvent(nil, &collector.Event{})
			z[len(z)-1] = 2
			return z
		}()},
		{"nanoseconds out of range", func() []byte {
			z := AppendEvent(nil, &collector.Event{})
			// version, 16-byte ID, seconds varint (zero time: 5 bytes), nanoseconds
			return append(append(z[:1+16+5:1+16+5], 0x80, 0x94, 0xeb, 0xdc, 0x03), z[1+16+5+1:]...)
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got collector.Event
			if err := DecodeEvent(tt.b, &got); !errors.Is(err, ErrBadEvent) {
				t.Fatalf("DecodeEvent = %v, want ErrBadEvent", err)
			}
		})
	}
}

func TestDecodeEventAllocations(t *testing.T) {
	e := sampleEvent()
	b := AppendEvent(nil, &e)
	got := sampleEvent() // slices with room
	allocs := testing.AllocsPerRun(100, func() {
		if err := DecodeEvent(b, &got); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("DecodeEvent allocates %v times per event with reusable slices, want 1 (the strings)", allocs)
	}
	buf := make([]byte, 0, 1024)
	if a := testing.AllocsPerRun(100, func() { buf = AppendEvent(buf[:0], &e) }); a != 0 {
		t.Errorf("AppendEvent allocates %v times", a)
	}
}

// tailLen is the length of the version-2 and -3 fields (ReceivedAt, UAKey;
// flags) of a zero event, which follow the version-1 layout.
func tailLen() int {
	return len(binary.AppendVarint(nil, time.Time{}.Unix())) + 1 + 1 + 1
}

// TestDecodeEventOlderVersion: a record written by the previous binary
// (version 2, without the flags byte) still decodes, with MaybeStored unset.
func TestDecodeEventOlderVersion(t *testing.T) {
	e := sampleEvent()
	b := AppendEvent(nil, &e)
	v2 := append([]byte{2}, b[1:len(b)-1]...)
	var got collector.Event
	if err := DecodeEvent(v2, &got); err != nil {
		t.Fatalf("version-2 record: %v", err)
	}
	want := e
	want.MaybeStored = false
	if !eventsEqual(got, want) {
		t.Fatalf("version-2 record decoded as\n%+v\nwant\n%+v", got, want)
	}
}
