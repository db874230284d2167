package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/collector/store/chtest"
)

// syncBuffer is a log sink that tests can read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testServer is a collector started in-process on a free port with a fresh
// ClickHouse database.
type testServer struct {
	*Main
	URL   string
	Store *store.Store
	Logs  *syncBuffer
}

// startServer starts Main with a fresh database and data folder; args are
// more serve flags (see startMain).
func startServer(t testing.TB, args ...string) *testServer {
	t.Helper()
	dsn, _ := chtest.DSN(t)
	st := chtest.Open(t, dsn)
	return startMain(t, dsn, st, t.TempDir(), append([]string{"--log-level", "debug"}, args...)...)
}

// post sends body to path with headers; it returns status and body.
func (ts *testServer) post(t testing.TB, path, body string, headers map[string]string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", ts.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "text/plain")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

func (ts *testServer) get(t testing.TB, path string, headers map[string]string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", ts.URL+path, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

func do(t testing.TB, req *http.Request) (int, string, http.Header) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// waitRows polls until query (a count) returns want, failing after 20 s.
func (ts *testServer) waitCount(t testing.TB, where string, want uint64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var n uint64
	for time.Now().Before(deadline) {
		if err := ts.Store.Conn.QueryRow(context.Background(), "SELECT count() FROM "+ts.Store.Dialect.DB+".events WHERE "+where).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("events WHERE %s: %d rows, want %d\nlogs:\n%s", where, n, want, ts.Logs)
}

// consentToken records a decision over the HTTP API and returns the token
// and visitor ID.
func (ts *testServer) consentToken(t testing.TB, method string, granted []string, headers map[string]string) (token, vid, consentID string) {
	t.Helper()
	_, cfgBody, _ := ts.get(t, "/api/consent/config?site=demo", nil)
	var cfg struct {
		Revision  int    `json:"revision"`
		TextsHash string `json:"texts_hash"`
	}
	if err := json.Unmarshal([]byte(cfgBody), &cfg); err != nil {
		t.Fatalf("consent config: %v: %s", err, cfgBody)
	}
	body, _ := json.Marshal(map[string]any{"site": "demo", "granted": granted, "method": method,
		"revision": cfg.Revision, "texts_hash": cfg.TextsHash, "lang": "en"})
	st, resp, _ := ts.post(t, "/api/consent", string(body), headers)
	if st != 200 {
		t.Fatalf("POST /api/consent: %d %s", st, resp)
	}
	var d struct{ Token, VID, ConsentID string }
	var raw map[string]any
	json.Unmarshal([]byte(resp), &raw)
	d.Token, _ = raw["token"].(string)
	d.VID, _ = raw["vid"].(string)
	d.ConsentID, _ = raw["consent_id"].(string)
	return d.Token, d.VID, d.ConsentID
}

// dumpAll returns the text of every row of every table of the test
// database, through ClickHouse's HTTP interface (ASHIATO_CH_HTTP).
func (ts *testServer) dumpAll(t testing.TB) string {
	t.Helper()
	base := os.Getenv("ASHIATO_CH_HTTP")
	if base == "" {
		base = "http://127.0.0.1:18123"
	}
	q := func(sql string) string {
		resp, err := http.Post(base+"/?query="+url.QueryEscape(sql), "text/plain", nil)
		if err != nil {
			t.Fatalf("clickhouse http: %v", err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("clickhouse http %s: %s", sql, b)
		}
		return string(b)
	}
	var all strings.Builder
	for _, table := range strings.Fields(q("SELECT name FROM system.tables WHERE database = '" + ts.Store.Dialect.DB + "' FORMAT TSV")) {
		all.WriteString(q("SELECT * FROM " + ts.Store.Dialect.DB + "." + table + " FORMAT TSV"))
	}
	return all.String()
}
