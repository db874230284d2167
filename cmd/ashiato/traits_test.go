package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const traitsYAML = `
    traits:
      - {name: gender, type: enum, values: [f, m, x]}
      - {name: age_band, type: enum, values: ["20-29", "30-39"]}
      - {name: mail, type: email}
      - {name: tel, type: phone}
`

// TestTraitsImport on the real ClickHouse: a file with a bad row is
// refused whole with the line and field, and nothing is stored; a good
// file is stored under the hashed user IDs; the audience export hashes
// the imported e-mail and phone; the subject's export holds the traits and
// erasure removes them.
func TestTraitsImport(t *testing.T) {
	e := newPrivEnv(t)
	yaml, _ := os.ReadFile(e.cfgFile)
	withTraits := strings.Replace(string(yaml), "    audience_min_size: 1\n", "    audience_min_size: 1\n"+traitsYAML, 1)
	if err := os.WriteFile(e.cfgFile, []byte(withTraits), 0o600); err != nil {
		t.Fatal(err)
	}
	m := e.start(nil)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("user_id,gender,age_band,mail,tel\nalice,f,30-39,Jane.Doe@GMail.com,+1 234 567 8910\nbob,male,20-29,,\n"), 0o600)
	if _, err := e.cli("traits", "import", "--site", "shop", bad); err == nil || !strings.Contains(err.Error(), `line 3: gender: "male" is not one of f, m, x`) {
		t.Fatalf("bad file: %v", err)
	}
	if n := e.count("SELECT count() FROM DB.traits"); n != 0 {
		t.Fatalf("a refused file stored %d rows", n)
	}
	good := filepath.Join(dir, "good.jsonl")
	os.WriteFile(good, []byte(`{"user_id":"alice","gender":"f","age_band":"30-39","mail":"Jane.Doe@GMail.com","tel":"+1 234 567 8910"}`+"\n"+
		`{"user_id":"bob","gender":"m"}`+"\n"), 0o600)
	out, err := e.cli("traits", "import", good, "--site", "shop")
	if err != nil {
		t.Fatal(err)
	}
	var res struct{ Rows int }
	json.Unmarshal([]byte(out), &res)
	alice := m.privacy.svc.Keys.StoredUserID(&m.Config.Sites[0], "alice")
	if res.Rows != 2 || e.count("SELECT count() FROM DB.traits WHERE user_id = ? AND has(keys, 'mail')", alice) != 1 ||
		e.count("SELECT count() FROM DB.traits WHERE user_id = 'alice'") != 0 {
		t.Fatalf("import %s: want 2 rows under hashed user IDs", out)
	}

	// alice identifies (no traits sent) and browses: the export hashes the
	// imported e-mail and phone as Google documents.
	a := privDecide(t, m, "shop", "accept_all", nil, "")
	if st, body := a.identify(t, m, "alice", nil); st != 202 {
		t.Fatalf("identify: %d %s", st, body)
	}
	browserHit(t, m, a, "/pricing")
	e.waitCount(1, "SELECT count() FROM DB.events WHERE user_id = ?", alice)
	if _, err := e.cli("audience", "create", "p", "--site", "shop", "--rule", "visited('/pricing', 1, 1)"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "g.csv")
	if _, err := e.cli("audience", "export", "p", "--site", "shop", "--format", "google-customer-match", "--out", file); err != nil {
		t.Fatal(err)
	}
	body, _ := os.ReadFile(file)
	if want := "Email,Phone\nd6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69,0ff8782b13eb11cbcabdcf9550482f5c202733d7221ae2fed1ae837b134dc3ad\n"; string(body) != want {
		t.Fatalf("google export:\n%s\nwant\n%s", body, want)
	}

	// A segment over traits: women (alice; bob is a man and never visited).
	if _, err := e.cli("audience", "create", "women", "--site", "shop", "--rule", "trait('income', 'high')"); err == nil || !strings.Contains(err.Error(), `trait "income" is not declared`) {
		t.Fatalf("a rule over an undeclared trait: %v", err)
	}
	if _, err := e.cli("audience", "create", "women", "--site", "shop", "--rule", "trait('gender', 'f') AND visited('/pricing', 1, 1)"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cli("audience", "export", "women", "--site", "shop", "--format", "csv", "--out", file); err != nil {
		t.Fatal(err)
	}
	if body, _ := os.ReadFile(file); string(body) != "visitor_id,user_id\n"+a.vid+","+alice+"\n" {
		t.Fatalf("export of women:\n%s", body)
	}
	if _, err := e.cli("audience", "create", "men", "--site", "shop", "--rule", "trait('gender', 'm')"); err != nil {
		t.Fatal(err)
	}
	if out, err := e.cli("audience", "preview", "men", "--site", "shop"); err != nil || !strings.Contains(out, `"people": 0`) {
		t.Fatalf("men (bob has no events): %v %s", err, out)
	}

	out, err = e.cli("privacy", "export", "--site", "shop", "--user", "alice")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc["traits"]), "Jane.Doe@GMail.com") {
		t.Fatalf("the subject's export lacks the traits: %s", doc["traits"])
	}
	if _, err := e.cli("privacy", "erase", "--site", "shop", "--user", "alice", "--settle", "100ms"); err != nil {
		t.Fatal(err)
	}
	if n := e.count("SELECT count() FROM DB.traits WHERE user_id = ?", alice); n != 0 {
		t.Fatalf("erasure left %d traits rows", n)
	}
	if n := e.count("SELECT count() FROM DB.traits"); n != 1 {
		t.Fatalf("erasure of alice left %d traits rows, want bob's", n)
	}
	// An erased user's traits do not come back with the next import.
	out, err = e.cli("traits", "import", good, "--site", "shop")
	if err != nil || !strings.Contains(out, `"erased": 1`) || e.count("SELECT count() FROM DB.traits WHERE user_id = ?", alice) != 0 {
		t.Fatalf("re-import after erasure: %v %s", err, out)
	}
}
