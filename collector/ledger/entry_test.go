package ledger

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/consent"
)

func testEntry() consent.Entry {
	ts := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	return consent.Entry{
		Decision: consent.Decision{ConsentID: "019aed2a-0000-7000-8000-000000000001", SiteID: "demo", TS: ts,
			VisitorID: "v1", Granted: []string{"necessary"}, Denied: []string{"analytics"}, Revision: 3,
			TextsHash: "abc", Method: consent.MethodWithdraw, Lang: "ja", GPC: true, UAFamily: "Chrome", ExpiresAt: ts.AddDate(0, 6, 0)},
		PrevVisitorID: "v0", Revokes: "019aed2a-0000-7000-8000-000000000000", RevokesExpiresAt: ts.Add(time.Hour),
	}
}

func TestEntryRoundTrip(t *testing.T) {
	for name, e := range map[string]consent.Entry{
		"withdrawal": testEntry(),
		"replaces":   {Decision: testEntry().Decision, Replaces: "019aed2a-0000-7000-8000-000000000000", ReplacesExpiresAt: time.Unix(1800000000, 5).UTC()},
		"minimal":    {Decision: consent.Decision{ConsentID: "c", SiteID: "s", TS: time.Unix(-1, 0).UTC(), Revision: -2}},
	} {
		b := AppendEntry(nil, &e)
		if b[0] != entryBinary {
			t.Errorf("%s: version %d, want %d", name, b[0], entryBinary)
		}
		got, err := DecodeEntry(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, e) {
			t.Errorf("%s: round trip:\n got %+v\nwant %+v", name, got, e)
		}
	}
}

// TestEntryVersion1: a decision that an earlier release left in the spool
// (version 1, the JSON of the entry) is still read after an upgrade.
func TestEntryVersion1(t *testing.T) {
	e := testEntry()
	js, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeEntry(append([]byte{entryJSON}, js...))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, e) {
		t.Fatalf("version 1:\n got %+v\nwant %+v", got, e)
	}
}

func TestEntryBad(t *testing.T) {
	e := testEntry()
	b := AppendEntry(nil, &e)
	noID := e
	noID.Decision.ConsentID = ""
	for name, bad := range map[string][]byte{
		"empty":             nil,
		"version 3":         append([]byte{3}, b[1:]...),
		"torn":              b[:len(b)-1],
		"trailing bytes":    append(b[:len(b):len(b)], 0),
		"string too long":   {entryBinary, 0x7f, 'x'},
		"bad time flag":     append(AppendEntry(nil, &consent.Entry{Decision: consent.Decision{ConsentID: "c", SiteID: "s"}})[:5], 7),
		"no consent ID":     AppendEntry(nil, &noID),
		"v1 not JSON":       {entryJSON, '{'},
		"v1 no consent ID":  []byte("\x01{\"decision\":{\"site_id\":\"demo\"}}"),
		"varint overflow":   {entryBinary, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
		"list longer than…": {entryBinary, 1, 'c', 1, 's', 0, 0, 0, 0x40},
	} {
		if _, err := DecodeEntry(bad); !errors.Is(err, ErrBadEntry) {
			t.Errorf("%s: err %v, want ErrBadEntry", name, err)
		}
	}
}

// FuzzDecodeEntry: the decoder of consent spool records never panics, and
// what it accepts encodes to an entry it decodes the same.
func FuzzDecodeEntry(f *testing.F) {
	e := testEntry()
	b := AppendEntry(nil, &e)
	js, _ := json.Marshal(e)
	f.Add(b)                                                   // a whole entry
	f.Add(b[:len(b)/2])                                        // torn
	f.Add(append([]byte{entryJSON}, js...))                    // version 1
	f.Add([]byte("\x01{\"decision\":{\"consent_id\":\"x\"}}")) // no site
	f.Add([]byte("\x01null"))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := DecodeEntry(b)
		if err != nil {
			return
		}
		again, err := DecodeEntry(AppendEntry(nil, &e))
		if err != nil {
			t.Fatalf("re-encoded entry refused: %v", err)
		}
		if !again.Decision.TS.Equal(e.Decision.TS) || again.Decision.ConsentID != e.Decision.ConsentID ||
			!slices.Equal(again.Decision.Granted, e.Decision.Granted) {
			t.Fatalf("re-encoded entry differs:\n got %+v\nwant %+v", again, e)
		}
	})
}

// BenchmarkDecodeEntry is the ledger writer's cost per decision it stores.
func BenchmarkDecodeEntry(b *testing.B) {
	e := testEntry()
	rec := AppendEntry(nil, &e)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeEntry(rec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendEntry is the encoding's share of recording a decision.
func BenchmarkAppendEntry(b *testing.B) {
	e := testEntry()
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendEntry(buf[:0], &e)
	}
}
