package systemd

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/coreos/go-systemd/v22/unit"

	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/deploy/deploytest"
)

const binPath = "/usr/local/bin/ashiato"

// options returns the [Service] directives of ashiato.service by name.
func options(t *testing.T) map[string][]string {
	t.Helper()
	opts, err := unit.Deserialize(bytes.NewReader(deploytest.Read(t, "deploy/systemd/ashiato.service")))
	if err != nil {
		t.Fatalf("parse ashiato.service: %v", err)
	}
	out := map[string][]string{}
	for _, o := range opts {
		if o.Section == "Service" {
			out[o.Name] = append(out[o.Name], o.Value)
		}
	}
	return out
}

// TestUnitHardening checks the sandbox directives the collector relies on
// being there: no privileges, a read-only system, a state folder for the
// spool, and a stop timeout that covers the drain.
func TestUnitHardening(t *testing.T) {
	o := options(t)
	want := map[string]string{
		"DynamicUser":             "yes",
		"StateDirectory":          "ashiato",
		"Environment":             "ASHIATO_DATA_DIR=/var/lib/ashiato",
		"NoNewPrivileges":         "yes",
		"CapabilityBoundingSet":   "",
		"AmbientCapabilities":     "",
		"ProtectSystem":           "strict",
		"ProtectHome":             "yes",
		"PrivateTmp":              "yes",
		"PrivateDevices":          "yes",
		"RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
		"RestrictSUIDSGID":        "yes",
		"MemoryDenyWriteExecute":  "yes",
		"KillSignal":              "SIGTERM",
		"Restart":                 "on-failure",
	}
	for name, v := range want {
		if got := o[name]; len(got) != 1 || got[0] != v {
			t.Errorf("%s = %q, want %q", name, got, v)
		}
	}
	if f := o["SystemCallFilter"]; len(f) == 0 || f[0] != "@system-service" {
		t.Errorf("SystemCallFilter = %q, want @system-service first", f)
	}
	// SIGTERM: in flight <= 10 s, spool flush <= 5 s (cmd/ashiato/serve.go).
	d, err := strconv.Atoi(strings.TrimSuffix(strings.Join(o["TimeoutStopSec"], ""), "s"))
	if err != nil || d < 20 {
		t.Errorf("TimeoutStopSec %q: want 20s or more", o["TimeoutStopSec"])
	}
	for _, key := range []string{"ExecStartPre", "ExecStart"} {
		if len(o[key]) != 1 || !strings.HasPrefix(o[key][0], binPath+" ") || !strings.Contains(o[key][0], "--config /etc/ashiato/ashiato.yaml") {
			t.Errorf("%s = %q: want %s … --config /etc/ashiato/ashiato.yaml", key, o[key], binPath)
		}
	}
	if !strings.Contains(o["ExecStartPre"][0], " migrate ") || !strings.Contains(o["ExecStart"][0], " serve ") {
		t.Error("want migrate before serve")
	}
}

// TestExampleConfig loads ashiato.yaml with the collector's loader.
func TestExampleConfig(t *testing.T) {
	path := filepath.Join(deploytest.Root(t), "deploy/systemd/ashiato.yaml")
	cfg, err := config.Load(flag.NewFlagSet("serve", flag.ContinueOnError), []string{"--config", path}, func(string) string { return "" })
	if err != nil {
		t.Fatalf("ashiato.yaml: %v", err)
	}
	if len(cfg.Sites) != 1 || cfg.Sites[0].ID != "shop" || cfg.DSN == "" {
		t.Errorf("ashiato.yaml loaded as %d sites, DSN %q", len(cfg.Sites), cfg.DSN)
	}
}

// TestSystemdAnalyze runs `systemd-analyze verify` on the unit (with the
// binary path pointed at a fresh build, since verify checks that it exists)
// and `systemd-analyze security --offline`, whose exposure score must stay
// at "OK" (2.0 or less; 10 is a service with no sandbox at all).
func TestSystemdAnalyze(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("systemd-analyze is missing: deploy/local/deps.sh installs Debian's systemd package")
		}
		t.Skip("systemd-analyze is not installed (Debian package systemd; deploy/local/deps.sh installs it): the unit was only parsed")
	}
	dir := t.TempDir()
	bin := deploytest.Build(t, dir)
	text := strings.ReplaceAll(string(deploytest.Read(t, "deploy/systemd/ashiato.service")), binPath, bin)
	path := filepath.Join(dir, "ashiato.service")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("systemd-analyze", "verify", path).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	out, err = exec.Command("systemd-analyze", "security", "--offline=yes", path).CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze security: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Overall exposure level for ashiato\.service: ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("systemd-analyze security printed no exposure level:\n%s", out)
	}
	if score, _ := strconv.ParseFloat(string(m[1]), 64); score > 2.0 {
		t.Errorf("exposure %.1f, want 2.0 or less\n%s", score, out)
	}
	t.Logf("systemd-analyze security: exposure %s", m[1])
}
