package consent

import (
	"strings"
	"testing"

	"github.com/ashiato/ashiato/collector"
)

func TestBannerConfigTextsHash(t *testing.T) {
	site := testSite()
	site.Purposes[3].Recipients = []collector.Recipient{{Name: "Ads Inc.", Data: collector.Text{"en": "page URL", "ja": "URL"}}}
	a := NewBannerConfig(site)
	if len(a.TextsHash) != 64 || a.Revision != 2 || len(a.Purposes) != 4 {
		t.Fatalf("config: %+v", a)
	}
	if b := NewBannerConfig(site); b.TextsHash != a.TextsHash {
		t.Fatal("the hash of the same texts changed between renderings")
	}
	// Anything the visitor is shown changes the hash; presentation does not.
	for name, edit := range map[string]func(s *collector.Site){
		"recipient data": func(s *collector.Site) { s.Purposes[3].Recipients[0].Data["ja"] = "閲覧URL" },
		"description":    func(s *collector.Site) { s.Purposes[1].Description = collector.Text{"en": "changed"} },
		"revision":       func(s *collector.Site) { s.PolicyRevision = 3 },
		"banner text":    func(s *collector.Site) { s.Banner.Text = collector.Text{"en": "new"} },
	} {
		s := testSite()
		s.Purposes[3].Recipients = []collector.Recipient{{Name: "Ads Inc.", Data: collector.Text{"en": "page URL", "ja": "URL"}}}
		edit(s)
		if NewBannerConfig(s).TextsHash == a.TextsHash {
			t.Errorf("changing the %s kept the hash", name)
		}
	}
	s := testSite()
	s.Purposes[3].Recipients = []collector.Recipient{{Name: "Ads Inc.", Data: collector.Text{"en": "page URL", "ja": "URL"}}}
	s.Banner.Layout = "box"
	if NewBannerConfig(s).TextsHash != a.TextsHash {
		t.Error("the layout changed the texts hash")
	}
	if !strings.Contains(a.JSON(), `"Ads Inc."`) {
		t.Error("stored configuration lacks the recipients")
	}
}
