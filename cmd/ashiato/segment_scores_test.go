package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSegmentScoreConditions on the real ClickHouse: segments over
// interest scores and a look-alike score, alone and combined with AND/OR,
// exported with consent checked at every step.
//
//   - 12 converters (the seed) read /pricing and convert; 5 other visitors
//     read /pricing ("warm"), 15 the blog ("cold"); two warm visitors and
//     three fans also read /sports twice (interest ≈ 2), a casual reader
//     once (≈ 1); a visitor who allowed advertising but not
//     personalization reads /sports twice: it has no interest profile.
//   - interest('sports') >= 1.5 is the two warm visitors and the fans, never
//     the casual reader nor the visitor without interest_profile;
//   - after `audience lookalike prospects`, lookalike('prospects') >= T
//     (T between the warm and the cold scores) is the warm visitors; AND
//     gives the two who are both, OR the union;
//   - a fan who takes personalization back leaves the interest segment;
//     a warm visitor who withdraws leaves the look-alike one; an erased
//     warm visitor's scores are deleted.
func TestSegmentScoreConditions(t *testing.T) {
	e := newPrivEnv(t)
	yaml, _ := os.ReadFile(e.cfgFile)
	os.WriteFile(e.cfgFile, []byte(strings.Replace(string(yaml), "    audience_min_size: 1\n", "    audience_min_size: 1\n"+interestsYAML, 1)), 0o600)
	m := e.start(nil)
	_, warm, cold := lookalikeVisitors(t, m)
	var fans []privVisitor
	for i := 0; i < 3; i++ {
		fans = append(fans, privDecide(t, m, "shop", "accept_all", nil, ""))
	}
	casual := privDecide(t, m, "shop", "accept_all", nil, "")
	noProfile := privDecide(t, m, "shop", "custom", []string{"analytics", "advertising"}, "")
	for _, v := range append(append([]privVisitor{warm[0], warm[1], noProfile}, fans...), casual) {
		browserHit(t, m, v, "/sports/football")
		if v != casual {
			browserHit(t, m, v, "/sports/tennis")
		}
	}
	e.waitCount(57, "SELECT count() FROM DB.events WHERE site_id = 'shop' AND visitor_id != ''")

	create := func(name, rule string) {
		t.Helper()
		if out, err := e.cli("audience", "create", name, "--site", "shop", "--rule", rule); err != nil {
			t.Fatalf("create %s: %v\n%s", name, err, out)
		}
	}
	export := func(name string) map[string]bool {
		t.Helper()
		file := filepath.Join(t.TempDir(), name+".csv")
		if out, err := e.cli("audience", "export", name, "--site", "shop", "--format", "csv", "--out", file); err != nil {
			t.Fatalf("export %s: %v\n%s", name, err, out)
		}
		body, _ := os.ReadFile(file)
		got := map[string]bool{}
		for _, line := range strings.Split(strings.TrimSpace(string(body)), "\n")[1:] {
			got[strings.TrimPrefix(strings.Split(line, ",")[0], "'")] = true // an ID that starts with '-' is neutralised ('-…)
		}
		return got
	}
	want := func(name string, got map[string]bool, vs ...privVisitor) {
		t.Helper()
		ok := len(got) == len(vs)
		for _, v := range vs {
			ok = ok && got[v.vid]
		}
		if !ok {
			ids := make([]string, len(vs))
			for i, v := range vs {
				ids[i] = v.vid
			}
			t.Fatalf("segment %s exported %v, want %v", name, got, ids)
		}
	}

	create("sporty", "interest('sports') >= 1.5")
	want("sporty", export("sporty"), append([]privVisitor{warm[0], warm[1]}, fans...)...)
	if _, err := e.cli("audience", "create", "cooks", "--site", "shop", "--rule", "interest('cooking') >= 1"); err == nil || !strings.Contains(err.Error(), `interest category "cooking" is not in the site's interests`) {
		t.Fatalf("an unknown category: %v", err)
	}

	create("converters", "event('convert', 30)")
	if out, err := e.cli("audience", "lookalike", "prospects", "--site", "shop", "--seed", "converters", "--size", "5"); err != nil {
		t.Fatalf("lookalike: %v\n%s", err, out)
	}
	score := func(v privVisitor) float64 {
		t.Helper()
		var s float64
		if err := e.st.Conn.QueryRow(context.Background(), "SELECT score FROM "+e.st.Dialect.DB+".lookalike_scores WHERE site_id = 'shop' AND model = 'prospects' AND visitor_id = ?", v.vid).Scan(&s); err != nil {
			t.Fatalf("score of %s: %v", v.vid, err)
		}
		return s
	}
	minWarm, maxCold := 1.0, 0.0
	for _, v := range warm {
		minWarm = min(minWarm, score(v))
	}
	for _, v := range append(append(append([]privVisitor{}, cold...), fans...), casual, noProfile) {
		maxCold = max(maxCold, score(v))
	}
	if n := e.count("SELECT count() FROM DB.lookalike_scores WHERE site_id = 'shop' AND model = 'prospects'"); n != 25 || minWarm <= maxCold {
		t.Fatalf("%d scores (want the 25 consenting subjects outside the seed); warm ≥ %.3f, others ≤ %.3f", n, minWarm, maxCold)
	}
	threshold := fmt.Sprintf("%.6f", (minWarm+maxCold)/2)
	create("warm", "lookalike('prospects') >= "+threshold)
	want("warm", export("warm"), warm...)
	create("warm_sporty", "lookalike('prospects') >= "+threshold+" AND interest('sports') >= 1.5")
	want("warm_sporty", export("warm_sporty"), warm[0], warm[1])
	if out, err := e.cli("audience", "preview", "warm_sporty", "--site", "shop"); err != nil || !strings.Contains(out, `"people": 2,`) || !strings.Contains(out, `"exportable": 2,`) {
		t.Fatalf("preview: %v\n%s", err, out)
	} else {
		t.Logf("\n%s", out)
	}
	create("warm_or_sporty", "(lookalike('prospects') >= "+threshold+") OR interest('sports') > 1.5")
	want("warm_or_sporty", export("warm_or_sporty"), append(append([]privVisitor{}, warm...), fans...)...)

	// The CLI's export reads the ledger in ClickHouse: a decision counts
	// there once it has landed from the consent spool.
	privDecide(t, m, "shop", "custom", []string{"analytics", "advertising"}, fans[0].token)
	waitLanded(t, m)
	want("sporty", export("sporty"), warm[0], warm[1], fans[1], fans[2])
	privDecide(t, m, "shop", "withdraw", nil, warm[4].token)
	waitLanded(t, m)
	want("warm", export("warm"), warm[:4]...)

	if out, err := e.cli("privacy", "erase", "--site", "shop", "--visitor", warm[3].vid, "--settle", "300ms"); err != nil || !strings.Contains(out, `"lookalike_scores": 1`) {
		t.Fatalf("privacy erase: %v\n%s", err, out)
	}
	if n := e.count("SELECT count() FROM DB.lookalike_scores WHERE visitor_id = ?", warm[3].vid); n != 0 {
		t.Fatalf("%d look-alike scores of the erased visitor", n)
	}
	want("warm", export("warm"), warm[:3]...)
}
