package main

import (
	"context"
	"flag"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/store/chtest"
)

// The profiling variant serves the real event path (202 after the spool,
// a row in ClickHouse) and the pprof endpoints.
func TestServesEventsAndProfiles(t *testing.T) {
	dsn, _ := chtest.DSN(t)
	st := chtest.Open(t, dsn)
	cfg, err := config.Load(flag.NewFlagSet("benchprof", flag.ContinueOnError), []string{
		"--listen", "127.0.0.1:0", "--clickhouse-dsn", dsn, "--data-dir", t.TempDir(),
		"--rate-per-ip", "0", "--batch-interval", "100ms"}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv, err := Start(ctx, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })

	req, _ := http.NewRequest("POST", "http://"+srv.Addr+"/api/event",
		strings.NewReader(`{"site":"demo","url":"http://localhost/benchprof","eid":"benchprof-1"}`))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /api/event: %d %s", resp.StatusCode, body)
	}

	resp, err = http.Get("http://" + srv.Addr + "/debug/pprof/heap?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "heap profile") {
		t.Fatalf("GET /debug/pprof/heap: %d %.200s", resp.StatusCode, body)
	}

	resp, err = http.Get("http://" + srv.Addr + "/debug/enrich")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"UAMisses":1`) {
		t.Fatalf("GET /debug/enrich: %d %s, want one UA miss", resp.StatusCode, body)
	}

	deadline := time.Now().Add(20 * time.Second)
	for {
		var n uint64
		if err := st.Conn.QueryRow(ctx, "SELECT count() FROM "+st.Dialect.DB+".events WHERE url_path = '/benchprof'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d rows for the event after 20 s, want 1", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
