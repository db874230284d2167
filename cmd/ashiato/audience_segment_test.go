package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAudienceSegmentExport runs a segment end to end on the real
// ClickHouse: visitors browse, a segment is created with the CLI, its
// preview sizes it before and after the consent check, the Meta export
// holds exactly the consenting members with the platform's hashes, a
// member who withdraws is absent from the next export, an audience below
// audience_min_size is refused naming nobody and leaving no file, and
// every export is audited with its file's SHA-256.
func TestAudienceSegmentExport(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(nil)
	a := privDecide(t, m, "shop", "accept_all", nil, "")
	b := privDecide(t, m, "shop", "accept_all", nil, "")
	c := privDecide(t, m, "shop", "accept_all", nil, "")
	noAds := privDecide(t, m, "shop", "custom", []string{"analytics"}, "")
	if st, body := a.identify(t, m, "alice", map[string]any{"email": " Jane.Doe@GMail.com", "phone": "+1 (234) 567-8910"}); st != 202 {
		t.Fatalf("identify: %d %s", st, body)
	}
	for _, v := range []privVisitor{a, b, c, noAds} {
		browserHit(t, m, v, "/pricing")
		browserHit(t, m, v, "/pricing")
	}
	browserHit(t, m, c, "/about") // a pageview elsewhere changes nothing
	c.hit(t, m, "/pricing")       // a bot's (Go's user agent) counts for nothing either
	e.waitCount(10, "SELECT count() FROM DB.events WHERE site_id = 'shop' AND visitor_id != ''")

	if _, err := e.cli("audience", "create", "pricing", "--site", "shop", "--rule", "visited('/pricing', 3, 30)"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cli("audience", "create", "bad", "--site", "shop", "--rule", "visited('/pricing', 3)"); err == nil || !strings.Contains(err.Error(), `want ","`) {
		t.Fatalf("a bad rule: %v", err)
	}
	var p struct{ People, Exportable int }
	out, err := e.cli("audience", "preview", "pricing", "--site", "shop")
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal([]byte(out), &p)
	if p.People != 0 {
		t.Fatalf("visited 3 times: preview %s, want nobody", out)
	}
	if _, err := e.cli("audience", "create", "pricing", "--site", "shop", "--rule", "visited('/pricing', 2, 30) AND NOT_A_WORD"); err == nil {
		t.Fatal("a rule with a stray word was stored")
	}
	if _, err := e.cli("audience", "create", "pricing", "--site", "shop", "--rule", "visited('/pri*', 2, 30)", "--description", "looked at prices twice"); err != nil {
		t.Fatal(err)
	}
	out, err = e.cli("audience", "preview", "pricing", "--site", "shop")
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal([]byte(out), &p)
	if p.People != 4 || p.Exportable != 3 {
		t.Fatalf("preview %s, want 4 people of whom 3 exportable", out)
	}
	if out, err := e.cli("audience", "list", "--site", "shop"); err != nil || !strings.Contains(out, "pricing  created  visited('/pri*', 2, 30)") {
		t.Fatalf("list: %v\n%s", err, out)
	}

	file := filepath.Join(t.TempDir(), "meta.csv")
	export := func() string {
		t.Helper()
		if _, err := e.cli("audience", "export", "pricing", "--site", "shop", "--format", "meta", "--out", file); err != nil {
			t.Fatal(err)
		}
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return string(body)
	}
	body := export()
	alice := m.privacy.svc.Keys.StoredUserID(&m.Config.Sites[0], "alice")
	// Meta's forms: jane.doe@gmail.com and 12345678910, SHA-256.
	aliceRow := "831f6494ad6be4fcb3a724c3d5fef22d3ceffa3c62ef3a7984e45a0ea177f982,63640264849a87c90356129d99ea165e37aa5fabc1fea46906df1a7ca50db492," + alice
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if lines[0] != "email,phone,extern_id" || len(lines) != 4 || !strings.Contains(body, aliceRow) ||
		!strings.Contains(body, ",,"+b.vid) || !strings.Contains(body, ",,"+c.vid) || strings.Contains(body, noAds.vid) {
		t.Fatalf("export:\n%s\nwant alice's hashed row, b and c, not the visitor without advertising consent", body)
	}

	// b withdraws after being exported: the next export leaves b out.
	privDecide(t, m, "shop", "withdraw", nil, b.token)
	waitLanded(t, m) // the CLI is another process: it reads the ledger in ClickHouse, not the server's decisions in flight
	body = export()
	if strings.Contains(body, b.vid) || !strings.Contains(body, c.vid) || !strings.Contains(body, aliceRow) {
		t.Fatalf("export after b withdrew:\n%s", body)
	}

	// Below the minimum the export is refused, names nobody and leaves
	// no file: first the rows a platform would receive (one person of the
	// two has an e-mail or phone for Google), then the people left.
	yaml, _ := os.ReadFile(e.cfgFile)
	minSize := func(n string) {
		os.WriteFile(e.cfgFile, []byte(strings.Replace(string(yaml), "audience_min_size: 1", "audience_min_size: "+n, 1)), 0o600)
	}
	os.Remove(file)
	for _, k := range []struct{ min, format, want string }{
		{"2", "google-customer-match", "1 of 2 exportable people have an identifier google-customer-match matches"},
		{"3", "meta", "fewer exportable people than the site's audience_min_size (3)"},
	} {
		minSize(k.min)
		_, err = e.cli("audience", "export", "pricing", "--site", "shop", "--format", k.format, "--out", file)
		if err == nil || !strings.Contains(err.Error(), k.want) {
			t.Fatalf("export %s with a minimum of %s: %v, want %q", k.format, k.min, err, k.want)
		}
		for _, v := range []string{a.vid, b.vid, c.vid, alice} {
			if strings.Contains(err.Error(), v) {
				t.Fatalf("the refusal names a member: %v", err)
			}
		}
		if _, serr := os.Stat(file); !os.IsNotExist(serr) {
			t.Fatalf("a refused export left a file: %v", serr)
		}
	}

	n := e.count("SELECT count() FROM DB.audit_log WHERE action = 'audiences.export' AND status = 200 AND detail LIKE '%segment=pricing%' AND detail LIKE '%people=2 written=2 sha256=%' AND detail LIKE '%format=meta%'")
	refused := e.count("SELECT count() FROM DB.audit_log WHERE action = 'audiences.export' AND status = 403")
	if n != 1 || refused != 2 {
		t.Fatalf("audit rows: %d exports of 2 people, %d refusals; want 1 and 2", n, refused)
	}
	// The people who left are recorded under the segment's name, so
	// erasure and withdrawal reach them.
	if got := e.count("SELECT count() FROM DB.audience_members WHERE site_id = 'shop' AND audience = 'pricing' AND visitor_id = ?", c.vid); got < 1 {
		t.Fatalf("audience_members holds %d rows of c", got)
	}
}

// browserHit sends a pageview as a browser would (privVisitor.hit sends
// Go's user agent, which the collector flags as a bot).
func browserHit(t testing.TB, m *Main, v privVisitor, path string) {
	t.Helper()
	browserHitFrom(t, m, v, path, "")
}

// browserHitFrom is browserHit arriving from referrer ("" for none).
func browserHitFrom(t testing.TB, m *Main, v privVisitor, path, referrer string) {
	t.Helper()
	ev := map[string]any{"site": v.site, "url": "https://" + v.site + ".example" + path, "consent": v.token, "vid": v.vid}
	if referrer != "" {
		ev["referrer"] = referrer
	}
	if st, b := privCall(t, m, "POST", "/api/event", "", ev, nil, "User-Agent",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"); st != 202 {
		t.Fatalf("event: %d %s", st, b)
	}
}

// TestSegmentAdminAPI: the admin API creates, lists, previews and exports
// a segment with the same checks as the CLI; a query-scope token cannot
// create, preview or export; a bad rule is a 400 naming the position.
func TestSegmentAdminAPI(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(func(m *Main) { m.Config.Sites[0].AudienceMinSize = 2 })
	a := privDecide(t, m, "shop", "accept_all", nil, "")
	noAds := privDecide(t, m, "shop", "custom", []string{"analytics"}, "")
	for _, v := range []privVisitor{a, noAds} {
		browserHit(t, m, v, "/sale")
	}
	e.waitCount(2, "SELECT count() FROM DB.events WHERE site_id = 'shop' AND visitor_id != ''")
	exp, query := e.token("export"), e.token("query")

	if st, body := privCall(t, m, "POST", "/admin/api/segments", exp, map[string]string{"site": "shop", "name": "sale", "rule": "visited('/sale', 1"}, nil); st != 400 || !strings.Contains(string(body), "rule at") {
		t.Fatalf("bad rule: %d %s", st, body)
	}
	if st, body := privCall(t, m, "POST", "/admin/api/segments", query, map[string]string{"site": "shop", "name": "sale", "rule": "visited('/sale', 1, 7)"}, nil); st != 403 {
		t.Fatalf("create with a query token: %d %s", st, body)
	}
	if st, body := privCall(t, m, "POST", "/admin/api/segments", exp, map[string]string{"site": "shop", "name": "sale", "rule": "visited('/sale', 1, 7)"}, nil); st != 201 {
		t.Fatalf("create: %d %s", st, body)
	}
	var list struct {
		Segments []struct{ Name, Origin string }
	}
	if st, body := privCall(t, m, "GET", "/admin/api/segments?site=shop", query, nil, &list); st != 200 || len(list.Segments) != 1 || list.Segments[0].Name != "sale" {
		t.Fatalf("list: %d %s", st, body)
	}
	var p struct{ People, Exportable int }
	if st, body := privCall(t, m, "GET", "/admin/api/segments/sale/preview?site=shop", exp, nil, &p); st != 200 || p.People != 2 || p.Exportable != 1 {
		t.Fatalf("preview: %d %s, want 2 people, 1 exportable", st, body)
	}
	st, body := privCall(t, m, "GET", "/admin/api/segments/sale/export?site=shop&format=csv", exp, nil, nil)
	if st != 403 || !strings.Contains(string(body), "audience_too_small") || strings.Contains(string(body), a.vid) {
		t.Fatalf("export of 1 person with a minimum of 2: %d %s", st, body)
	}
	if st, body := privCall(t, m, "GET", "/admin/api/segments/nope/export?site=shop&format=csv", exp, nil, nil); st != 404 {
		t.Fatalf("export of an unknown segment: %d %s", st, body)
	}
	b := privDecide(t, m, "shop", "accept_all", nil, "")
	browserHit(t, m, b, "/sale")
	e.waitCount(3, "SELECT count() FROM DB.events WHERE site_id = 'shop' AND visitor_id != ''")
	st, body = privCall(t, m, "GET", "/admin/api/segments/sale/export?site=shop&format=csv", exp, nil, nil)
	if st != 200 || !strings.HasPrefix(string(body), "visitor_id,user_id\n") || !strings.Contains(string(body), a.vid) ||
		!strings.Contains(string(body), b.vid) || strings.Contains(string(body), noAds.vid) {
		t.Fatalf("export: %d %s", st, body)
	}
}
