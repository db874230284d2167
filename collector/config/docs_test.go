package config

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/ashiato/ashiato/queries"
)

// TestREADMEDocumentsEverySetting keeps the README's configuration table in
// step with Settings, and docs/SCHEMA.md with the events table.
func TestREADMEDocumentsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Settings {
		row := "| `--" + s.Name + "` | `" + s.Env() + "` | `" + s.YAML + "` |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("README lacks the row for %s: %s", s.Name, row)
		}
	}
	schema, err := os.ReadFile("../../docs/SCHEMA.md")
	if err != nil {
		t.Fatal(err)
	}
	ddl, err := queries.Render("migrations/0001_events", queries.Dialect{DB: "x"})
	if err != nil {
		t.Fatal(err)
	}
	cols := regexp.MustCompile(`(?m)^\s+([a-z_]+)\s+[A-Z]`).FindAllStringSubmatch(ddl, -1)
	if len(cols) < 30 {
		t.Fatalf("found only %d columns in the events DDL", len(cols))
	}
	for _, c := range cols {
		if !strings.Contains(string(schema), "| `"+c[1]+"` |") {
			t.Errorf("docs/SCHEMA.md does not document events.%s", c[1])
		}
		if !strings.Contains(string(readme), c[1]) {
			t.Errorf("README does not list events.%s", c[1])
		}
	}
}

func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/ashiato.yaml"
	os.WriteFile(path, []byte("listen: 127.0.0.1:1111\ndata_dir: "+dir+"\nlog_level: warn\nsites:\n  - id: shop\n    hosts: [shop.example]\n"), 0o600)
	env := map[string]string{"ASHIATO_CONFIG": path, "ASHIATO_LISTEN": "127.0.0.1:2222", "ASHIATO_LOG_LEVEL": "debug"}
	cfg, err := Load(newFlagSet(), []string{"--log-level", "error"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:2222" || cfg.LogLevel != "error" || cfg.DataDir != dir {
		t.Fatalf("precedence: listen=%s log=%s data=%s", cfg.Listen, cfg.LogLevel, cfg.DataDir)
	}
	if len(cfg.Sites) != 1 || cfg.Sites[0].ID != "shop" || len(cfg.Sites[0].Purposes) != 4 || cfg.Sites[0].AnonymousMode != "aggregate" ||
		cfg.Sites[0].AudienceMinSize != DefaultAudienceMinSize {
		t.Fatalf("site defaults: %+v", cfg.Sites)
	}
	// No file: the built-in demo site.
	cfg, err = Load(newFlagSet(), []string{"--data-dir", dir}, func(string) string { return "" })
	if err != nil || cfg.Sites[0].ID != "demo" || cfg.Listen != "127.0.0.1:8080" || cfg.DSN != "clickhouse://127.0.0.1:9000/ashiato" {
		t.Fatalf("defaults: %+v %v", cfg, err)
	}
}

func TestLoadRejects(t *testing.T) {
	dir := t.TempDir()
	for name, yaml := range map[string]string{
		"unknown key":         "listn: x\n",
		"site without hosts":  "sites:\n  - id: a\n",
		"bad anonymous mode":  "sites:\n  - id: a\n    hosts: [a]\n    anonymous_mode: keep\n",
		"consent too long":    "sites:\n  - id: a\n    hosts: [a]\n    consent_max_age_days: 500\n",
		"bad capability":      "sites:\n  - id: a\n    hosts: [a]\n    purposes: [{id: necessary}, {id: x, capabilities: [mind_reading]}]\n",
		"duplicate site":      "sites:\n  - {id: a, hosts: [a]}\n  - {id: a, hosts: [b]}\n",
		"bad time zone":       "sites:\n  - {id: a, hosts: [a], time_zone: Mars/Olympus}\n",
		"negative audience":   "sites:\n  - {id: a, hosts: [a], audience_min_size: -1}\n",
		"bad segment rule":    "sites:\n  - {id: a, hosts: [a], segments: [{name: s, rule: \"visited('/a', 2)\"}]}\n",
		"bad segment name":    "sites:\n  - {id: a, hosts: [a], segments: [{name: S S, rule: \"event('x', 1)\"}]}\n",
		"bad trait type":      "sites:\n  - {id: a, hosts: [a], traits: [{name: age, type: number}]}\n",
		"enum without values": "sites:\n  - {id: a, hosts: [a], traits: [{name: gender, type: enum}]}\n",
		"trait named user_id": "sites:\n  - {id: a, hosts: [a], traits: [{name: user_id, type: string}]}\n",
		"undeclared trait":    "sites:\n  - {id: a, hosts: [a], segments: [{name: s, rule: \"trait('gender', 'f')\"}]}\n",
		"empty interest":      "sites:\n  - {id: a, hosts: [a], interests: {categories: [{name: sports}]}}\n",
		"interest half-life":  "sites:\n  - {id: a, hosts: [a], interests: {half_life_days: 400, categories: [{name: s, paths: [/s]}]}}\n",
		"duplicate segment":   "sites:\n  - {id: a, hosts: [a], segments: [{name: s, rule: \"event('x', 1)\"}, {name: s, rule: \"event('y', 1)\"}]}\n",
		"script policy_url":   "sites:\n  - {id: a, hosts: [a], policy_url: \"javascript:alert(1)\"}\n",
		"relative policy":     "sites:\n  - {id: a, hosts: [a], policy_url: privacy.html}\n",
		"scheme-relative":     "sites:\n  - {id: a, hosts: [a], policy_url: //evil.example/x}\n",
		"data recipient URL":  "sites:\n  - {id: a, hosts: [a], purposes: [{id: necessary, recipients: [{name: X, policy: \"data:text/html,x\"}]}]}\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := dir + "/c.yaml"
			os.WriteFile(path, []byte("data_dir: "+dir+"\n"+yaml), 0o600)
			if _, err := Load(newFlagSet(), []string{"--config", path}, func(string) string { return "" }); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}
