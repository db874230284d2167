package enrich

import "testing"

func TestParseURLHashRoutes(t *testing.T) {
	for raw, want := range map[string]string{
		"https://a.example/app#/settings":        "/app#/settings",
		"https://a.example/app#!/item/3":         "/app#!/item/3",
		"https://a.example/app#/search?q=secret": "/app#/search",
		"https://a.example/doc#top":              "/doc",
		"https://a.example/doc#":                 "/doc",
		"https://a.example/#/a/../b":             "/#/b",
	} {
		p, err := ParseURL(raw, nil)
		if err != nil || p.Path != want {
			t.Errorf("ParseURL(%q).Path = %q (err %v), want %q", raw, p.Path, err, want)
		}
	}
}
