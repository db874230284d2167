package ingest

import (
	"crypto/sha1"
	"testing"

	"github.com/google/uuid"
)

func TestEventIDIsUUIDv5(t *testing.T) {
	for _, tc := range []struct{ site, eid string }{{"demo", "abc"}, {"shop", "0f8c1e2a-1111-4222-8333-444455556666"}, {"a", "-"}} {
		want := uuid.NewHash(sha1.New(), eventNamespace, []byte(tc.site+"\x00"+tc.eid), 5)
		if got := eventID(tc.site, tc.eid); got != want {
			t.Errorf("eventID(%q, %q) = %x, want %x", tc.site, tc.eid, got, want)
		}
	}
	if eventID("demo", "x") == eventID("shop", "x") {
		t.Error("the same eid on two sites gives one ID")
	}
	if a, b := eventID("demo", ""), eventID("demo", ""); a == b {
		t.Error("events without eid share an ID")
	}
	if n := testing.AllocsPerRun(100, func() { eventID("demo", "0f8c1e2a-1111-4222-8333-444455556666") }); n != 0 {
		t.Errorf("eventID allocates %v times", n)
	}
}

// joined is a+b whatever s holds; when s holds them side by side it is a
// piece of s and costs no allocation.
func TestJoined(t *testing.T) {
	for _, tc := range []struct{ s, a, b string }{
		{"https://www.google.com/", "www.google.com", "/"},
		{"https://WWW.Google.com/search", "www.google.com", "/search"},
		{"https://www.google.com:8443/p", "www.google.com", "/p"},
		{"https://user@evil.example@shop.example/x", "shop.example", "/x"},
		{"android-app://com.google.android.gm/", "mail.google.com", "/"},
		{"", "", ""},
	} {
		if got := joined(tc.s, tc.a, tc.b); got != tc.a+tc.b {
			t.Errorf("joined(%q, %q, %q) = %q, want %q", tc.s, tc.a, tc.b, got, tc.a+tc.b)
		}
	}
	s, a, b := "https://www.google.com/", "www.google.com", "/"
	// The result goes to a package variable, as into an event, so that a
	// concatenation could not live on the stack.
	if n := testing.AllocsPerRun(100, func() { joinedSink = joined(s, a, b) }); n != 0 {
		t.Errorf("joined allocates %v times for a referrer that holds host and path side by side", n)
	}
}

var joinedSink string
