package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLookalikeBuild on the real ClickHouse: 12 converters (the seed) read
// /pricing; of 20 other consenting visitors, 5 read /pricing too and 15
// the blog; a visitor with analytics consent only reads /pricing. The
// look-alike of size 5 is exactly the 5 pricing readers, never the seed
// nor the visitor without audience consent; it prints its evaluation and
// features; its segment exports with consent checked again (a member who
// withdraws is left out).
func TestLookalikeBuild(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(nil)
	var seed, like, other []privVisitor
	for i := 0; i < 32; i++ {
		v := privDecide(t, m, "shop", "accept_all", nil, "")
		switch {
		case i < 12:
			seed = append(seed, v)
			browserHit(t, m, v, "/pricing/team")
			browserEvent(t, m, v, "convert", nil)
		case i < 17:
			like = append(like, v)
			browserHit(t, m, v, "/pricing/team")
		default:
			other = append(other, v)
			browserHit(t, m, v, "/blog/post")
		}
	}
	noAds := privDecide(t, m, "shop", "custom", []string{"analytics"}, "")
	browserHit(t, m, noAds, "/pricing/team")
	e.waitCount(45, "SELECT count() FROM DB.events WHERE site_id = 'shop' AND visitor_id != ''")

	if _, err := e.cli("audience", "create", "converters", "--site", "shop", "--rule", "event('convert', 30)"); err != nil {
		t.Fatal(err)
	}
	out, err := e.cli("audience", "lookalike", "prospects", "--site", "shop", "--seed", "converters", "--size", "5")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out)
	if !strings.Contains(out, "segment prospects: 5 subjects like seed converters (12 of 32 consenting subjects in the seed)") ||
		!strings.Contains(out, "holdout: ") || !strings.Contains(out, "section:/pricing") {
		t.Fatalf("lookalike output:\n%s", out)
	}
	var api struct{ Members int }
	if st, body := privCall(t, m, "POST", "/admin/api/segments/prospects2/lookalike", e.token("export"),
		map[string]any{"site": "shop", "seed": "converters", "size": 3}, &api); st != 201 || api.Members != 3 {
		t.Fatalf("admin API: %d %s", st, body)
	}
	privDecide(t, m, "shop", "withdraw", nil, like[0].token)
	waitLanded(t, m) // the CLI reads the ledger in ClickHouse
	file := filepath.Join(t.TempDir(), "p.csv")
	if _, err := e.cli("audience", "export", "prospects", "--site", "shop", "--format", "csv", "--out", file); err != nil {
		t.Fatal(err)
	}
	body, _ := os.ReadFile(file)
	for i, v := range like {
		if in := strings.Contains(string(body), v.vid); in != (i > 0) {
			t.Fatalf("pricing reader %d (withdrew: %v) in the export: %v\n%s", i, i == 0, in, body)
		}
	}
	for _, v := range append(append(seed, other...), noAds) {
		if strings.Contains(string(body), v.vid) {
			t.Fatalf("the export holds %s, a seed member, a blog reader or a visitor without audience consent:\n%s", v.vid, body)
		}
	}
	if _, err := e.cli("audience", "lookalike", "tiny", "--site", "shop", "--seed", "prospects", "--size", "5"); err == nil || !strings.Contains(err.Error(), "want at least 10 in and 10 outside the seed") {
		t.Fatalf("a seed of 4: %v", err)
	}
}
