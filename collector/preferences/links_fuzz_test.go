package preferences

import (
	"bytes"
	"testing"

	"github.com/ashiato/ashiato/collector"
)

// FuzzVerifyLink feeds outside input to the unsubscribe link parser: it
// never panics, and nothing verifies but a link sealed with the key (here
// only ever one for u1, campaigns, e-mail; fuzz workers seal their own).
func FuzzVerifyLink(f *testing.F) {
	site := testSite(false)
	s := &Service{Sites: func(id string) *collector.Site {
		if id == site.ID {
			return site
		}
		return nil
	}, LinkKey: bytes.Repeat([]byte{9}, 32)}
	good, err := s.mintStored(site, site.Preferences.Topic("campaigns"), "u1", "email")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)                  // a real link
	f.Add("")                    // empty
	f.Add("AAAA")                // too short to hold a nonce
	f.Add(good[:len(good)-1])    // cut
	f.Add(good + good)           // doubled
	f.Add("e30.c2ln")            // the shape of an older signed link
	f.Add("!!!not base64url!!!") // not base64url
	f.Fuzz(func(t *testing.T, tok string) {
		l, err := s.VerifyLink(tok)
		if err == nil && (l.user != "u1" || l.Site != "shop" || l.Topic != "campaigns" || l.Channel != "email") {
			t.Fatalf("%q verified as %+v", tok, l)
		}
	})
}
