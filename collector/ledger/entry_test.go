package ledger

import (
	"errors"
	"reflect"
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
	e := testEntry()
	b, err := AppendEntry(nil, &e)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeEntry(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, e) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, e)
	}
	for name, bad := range map[string][]byte{
		"empty":         nil,
		"version 2":     append([]byte{2}, b[1:]...),
		"not JSON":      {1, '{'},
		"no consent ID": []byte("\x01{\"decision\":{\"site_id\":\"demo\"}}"),
	} {
		if _, err := DecodeEntry(bad); !errors.Is(err, ErrBadEntry) {
			t.Errorf("%s: err %v, want ErrBadEntry", name, err)
		}
	}
}

// FuzzDecodeEntry: the decoder of consent spool records never panics, and
// what it accepts encodes back to an entry it decodes the same.
func FuzzDecodeEntry(f *testing.F) {
	e := testEntry()
	b, _ := AppendEntry(nil, &e)
	f.Add(b)                                                   // a whole entry
	f.Add(b[:len(b)/2])                                        // torn
	f.Add([]byte("\x01{\"decision\":{\"consent_id\":\"x\"}}")) // no site
	f.Add([]byte("\x01null"))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := DecodeEntry(b)
		if err != nil {
			return
		}
		again, err := AppendEntry(nil, &e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeEntry(again); err != nil {
			t.Fatalf("re-encoded entry refused: %v", err)
		}
	})
}
