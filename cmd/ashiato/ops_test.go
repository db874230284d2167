package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/web"
)

func TestOperationsEndpoints(t *testing.T) {
	ts := startServer(t)
	if st, body, _ := ts.get(t, "/healthz", nil); st != 200 || !strings.Contains(body, "ok") {
		t.Fatalf("/healthz: %d %s", st, body)
	}
	for _, path := range []string{"/readyz", "/readyz/clickhouse"} {
		if st, body, _ := ts.get(t, path, nil); st != 200 || !strings.Contains(body, `"ready"`) {
			t.Fatalf("%s: %d %s", path, st, body)
		}
	}
	// Stopping (Close has begun): not ready, so a load balancer moves on.
	ts.stopping.Store(true)
	if st, body, _ := ts.get(t, "/readyz", nil); st != 503 || !strings.Contains(body, "shutting down") {
		t.Errorf("/readyz while stopping: %d %s, want 503", st, body)
	}
	ts.stopping.Store(false)
	ts.post(t, "/api/event", `{"site":"demo","url":"http://localhost/m"}`, nil)
	ts.post(t, "/api/event", `{"site":"demo"}`, nil)
	ts.waitCount(t, "url_path = '/m'", 1)
	if st, _, _ := ts.get(t, "/metrics", nil); st != 401 {
		t.Errorf("/metrics without the token: %d, want 401", st)
	}
	st, metrics, _ := ts.get(t, "/metrics", metricsAuth)
	for _, want := range []string{
		"ashiato_hits_accepted_total 1", `ashiato_hits_rejected_total{reason="invalid"} 1`,
		"ashiato_spool_bytes", "ashiato_spool_records", "ashiato_spool_fsync_seconds", "ashiato_writer_insert_seconds",
		"ashiato_writer_batch_rows", "ashiato_writer_rows_total 1", "ashiato_clickhouse_up 1",
	} {
		if st != 200 || !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	for _, a := range web.Assets {
		st, body, h := ts.get(t, "/"+a.Name, nil)
		if st != 200 || body != string(a.Body) || !strings.HasPrefix(h.Get("Content-Type"), strings.Split(a.ContentType, ";")[0]) {
			t.Errorf("/%s: %d %s", a.Name, st, h.Get("Content-Type"))
		}
		st, _, h = ts.get(t, a.Versioned(), nil)
		if st != 200 || !strings.Contains(h.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: %d %s", a.Versioned(), st, h.Get("Cache-Control"))
		}
		if st, _, _ := ts.get(t, "/"+a.Name, map[string]string{"If-None-Match": `"` + a.Hash + `"`}); st != 304 {
			t.Errorf("/%s with a matching ETag: %d, want 304", a.Name, st)
		}
	}
	if st, body, _ := ts.get(t, "/.well-known/gpc.json", nil); st != 200 || !strings.Contains(body, `"gpc":true`) {
		t.Errorf("gpc.json: %d %s", st, body)
	}
	for lang, want := range map[string]string{"ja": "外部送信", "en": "External transmission"} {
		if st, body, _ := ts.get(t, "/privacy/demo/external?lang="+lang, nil); st != 200 || !strings.Contains(body, want) {
			t.Errorf("external page %s: %d", lang, st)
		}
	}
	if st, _, _ := ts.get(t, "/privacy/nope/external", nil); st != 404 {
		t.Errorf("external page of an unknown site: %d", st)
	}
}

// TestDemoPageInBrowser loads the demo page of `make run` in headless
// Chromium (Debian's package): its scripts load from the collector and the
// page view lands in ClickHouse, in anonymous mode since nobody answered the
// banner.
func TestDemoPageInBrowser(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium not installed (make test installs it)")
		}
		t.Skip("chromium not installed")
	}
	ts := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=5000", "--dump-dom", ts.URL+"/demo/")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "ashiato demo") {
		t.Fatalf("demo page did not render:\n%s", out)
	}
	ts.waitCount(t, "url_path = '/demo/' AND type = 'pageview' AND visitor_id = '' AND visitor_hash != 0", 1)
}

// TestDebugListener: with debug_listen set, pprof and the UA counters are
// served on their own address, and not on the public one.
func TestDebugListener(t *testing.T) {
	ts := startServer(t, "--debug-listen", "127.0.0.1:0")
	if ts.DebugAddr == "" || ts.DebugAddr == ts.Addr {
		t.Fatalf("debug address %q (public %q)", ts.DebugAddr, ts.Addr)
	}
	debug := &testServer{URL: "http://" + ts.DebugAddr}
	if st, body, _ := debug.get(t, "/debug/pprof/", nil); st != 200 || !strings.Contains(body, "goroutine") {
		t.Errorf("/debug/pprof/ on the debug listener: %d", st)
	}
	if st, body, _ := debug.get(t, "/debug/enrich", nil); st != 200 || !strings.Contains(body, "UAParsed") {
		t.Errorf("/debug/enrich: %d %s", st, body)
	}
	if st, _, _ := ts.get(t, "/debug/pprof/", nil); st != 404 {
		t.Errorf("/debug/pprof/ on the public listener: %d, want 404", st)
	}
}
