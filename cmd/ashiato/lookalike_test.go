package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
	seed, like, other := lookalikeVisitors(t, m)
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

// lookalikeVisitors records 32 visitors who accept all on shop: 12
// converters who read /pricing and send "convert" (a seed), 5 others who
// read /pricing (like the seed) and 15 who read the blog.
func lookalikeVisitors(t testing.TB, m *Main) (seed, like, other []privVisitor) {
	t.Helper()
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
	return seed, like, other
}

// TestLookalikeInterestFeatures on the real ClickHouse: the seed (a stored
// audience, so that no behaviour names it) reads travel content, found
// only through the travel interest category (an event prop); of the
// others, 4 read travel content too, 16 news. A visitor who allowed
// advertising but not personalization also reads travel content: it has
// no interest profile, so nothing tells it apart from the news readers.
// The model names the travel interest among its features, and the
// look-alike of size 4 is exactly the 4 travel readers with a profile.
func TestLookalikeInterestFeatures(t *testing.T) {
	e := newPrivEnv(t)
	yaml, _ := os.ReadFile(e.cfgFile)
	os.WriteFile(e.cfgFile, []byte(strings.Replace(string(yaml), "    audience_min_size: 1\n", "    audience_min_size: 1\n"+interestsYAML, 1)), 0o600)
	m := e.start(nil)
	var buyers [][2]string
	var travellers, others []privVisitor
	for i := 0; i < 32; i++ {
		v := privDecide(t, m, "shop", "accept_all", nil, "")
		section := "news"
		switch {
		case i < 12:
			buyers = append(buyers, [2]string{v.vid, ""})
			section = "travel"
		case i < 16:
			travellers = append(travellers, v)
			section = "travel"
		default:
			others = append(others, v)
		}
		browserEvent(t, m, v, "read", map[string]any{"section": section})
		browserEvent(t, m, v, "read", map[string]any{"section": section})
	}
	noProfile := privDecide(t, m, "shop", "custom", []string{"analytics", "advertising"}, "")
	browserEvent(t, m, noProfile, "read", map[string]any{"section": "travel"})
	browserEvent(t, m, noProfile, "read", map[string]any{"section": "travel"})
	e.waitCount(66, "SELECT count() FROM DB.events WHERE site_id = 'shop' AND visitor_id != ''")
	if err := e.st.AddAudienceMembers(context.Background(), "shop", "buyers", buyers, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cli("audience", "create", "buyers", "--site", "shop", "--rule", "member('buyers')"); err != nil {
		t.Fatal(err)
	}
	out, err := e.cli("audience", "lookalike", "travel-like", "--site", "shop", "--seed", "buyers", "--size", "4")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out)
	if !strings.Contains(out, "interest:travel>=1") {
		t.Fatalf("the travel interest is not among the features:\n%s", out)
	}
	file := filepath.Join(t.TempDir(), "t.csv")
	if _, err := e.cli("audience", "export", "travel-like", "--site", "shop", "--format", "csv", "--out", file); err != nil {
		t.Fatal(err)
	}
	body, _ := os.ReadFile(file)
	if n := strings.Count(string(body), "\n"); n != 5 {
		t.Fatalf("the look-alike holds %d people, want 4:\n%s", n-1, body)
	}
	for _, v := range travellers {
		if !strings.Contains(string(body), v.vid) {
			t.Fatalf("travel reader %s is not in the look-alike:\n%s", v.vid, body)
		}
	}
}
