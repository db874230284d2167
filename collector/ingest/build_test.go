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
