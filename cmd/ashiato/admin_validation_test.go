package main

import (
	"os"
	"strings"
	"testing"
)

// TestAdminQueryValidation on the real ClickHouse: a malformed or
// out-of-range query parameter of partner-stats, interests and the
// preferences export is 400 invalid naming the field, never a silent
// default, a wrapped number or an empty answer; good values are 200.
func TestAdminQueryValidation(t *testing.T) {
	e := newPrivEnv(t)
	if err := os.WriteFile(e.cfgFile, []byte(prefSitesYAML+interestsYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	m := e.start(nil)
	query, export, prefs := e.token("query"), e.token("export"), e.token("preferences")
	const partner = "/admin/api/partner-stats/pages?site=shop&"
	const interests = "/admin/api/interests?site=shop&"
	const prefExport = "/admin/api/preferences/export?site=shop&channel=email&topic=campaigns&"
	for _, c := range []struct {
		name, path, token, field string // field "" = 200
	}{
		{"partner ok", partner + "from=2026-01-01&to=2026-01-02&k=3", query, ""},
		{"partner default k", partner + "from=2026-01-01&to=2026-01-02", query, ""},
		{"partner negative k", partner + "from=2026-01-01&to=2026-01-02&k=-5", query, "k"},
		{"partner k not a number", partner + "from=2026-01-01&to=2026-01-02&k=abc", query, "k"},
		{"partner fractional k", partner + "from=2026-01-01&to=2026-01-02&k=2.5", query, "k"},
		{"partner k above uint64", partner + "from=2026-01-01&to=2026-01-02&k=99999999999999999999", query, "k"},
		{"partner k of 1", partner + "from=2026-01-01&to=2026-01-02&k=1", query, "k"},
		{"partner from after to", partner + "from=2026-01-05&to=2026-01-02", query, "to"},
		{"partner empty range", partner + "from=2026-01-02&to=2026-01-02", query, "to"},
		{"partner range too long", partner + "from=2000-01-01&to=2026-01-02", query, "to"},
		{"partner to past DateTime", partner + "from=2106-02-01&to=2106-02-07", query, "to"},
		{"partner from before 1970", partner + "from=1969-12-01&to=1970-01-02", query, "from"},
		{"interests ok", interests + "limit=5", export, ""},
		{"interests default limit", interests, export, ""},
		{"interests zero limit", interests + "limit=0", export, "limit"},
		{"interests negative limit", interests + "limit=-1", export, "limit"},
		{"interests limit not a number", interests + "limit=abc", export, "limit"},
		{"interests limit above the maximum", interests + "limit=10001", export, "limit"},
		{"export hash=1", prefExport + "hash=1", prefs, ""},
		{"export hash=0", prefExport + "hash=0", prefs, ""},
		{"export hash=true", prefExport + "hash=true", prefs, ""},
		{"export default hash", prefExport, prefs, ""},
		{"export hash=yes", prefExport + "hash=yes", prefs, "hash"},
		{"export hash=2", prefExport + "hash=2", prefs, "hash"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, body := privCall(t, m, "GET", c.path, c.token, nil, nil)
			if c.field == "" {
				if st != 200 {
					t.Fatalf("%s: %d %s, want 200", c.path, st, body)
				}
				return
			}
			if st != 400 || !strings.Contains(string(body), `"error":"invalid"`) || !strings.Contains(string(body), `"field":"`+c.field+`"`) {
				t.Fatalf("%s: %d %s, want 400 invalid %s", c.path, st, body, c.field)
			}
		})
	}
}
