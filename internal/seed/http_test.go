package seed

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeCollector answers the three endpoints the HTTP sink uses and keeps
// what it was sent.
type fakeCollector struct {
	mu        sync.Mutex
	decisions int
	events    []map[string]any
	uas       map[string]bool
	batches   []int
}

func (f *fakeCollector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/consent/config":
		io.WriteString(w, `{"site":"demo","revision":3,"texts_hash":"abc"}`)
	case r.Method == http.MethodPost && r.URL.Path == "/api/consent":
		var d struct {
			Revision  int    `json:"revision"`
			TextsHash string `json:"texts_hash"`
		}
		if json.Unmarshal(body, &d) != nil || d.Revision != 3 || d.TextsHash != "abc" {
			http.Error(w, `{"error":"invalid","field":"revision"}`, http.StatusBadRequest)
			return
		}
		f.decisions++
		io.WriteString(w, `{"token":"tok","vid":"server-vid"}`)
	case r.Method == http.MethodPost && r.URL.Path == "/api/event":
		var evs []map[string]any
		if err := json.Unmarshal(body, &evs); err != nil {
			http.Error(w, `{"error":"invalid"}`, http.StatusBadRequest)
			return
		}
		f.events = append(f.events, evs...)
		f.batches = append(f.batches, len(evs))
		f.uas[r.Header.Get("User-Agent")] = true
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

// Through the HTTP path every event arrives once, in arrays of at most 50
// with the visitor's User-Agent; a consented visitor decides once through
// /api/consent with the site's revision and texts hash, and only its events
// carry the server's visitor ID, a session and the token.
func TestHTTPSink(t *testing.T) {
	f := &fakeCollector{uas: map[string]bool{}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	ctx := context.Background()
	h, err := NewHTTP(ctx, srv.URL, "demo", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	const n = 2000
	tot, err := Run(ctx, Config{Site: "demo", Events: n, Days: 2, Seed: 5, End: time.Now(), ForHTTP: true, Batch: 500}, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.events) != n {
		t.Fatalf("collector got %d events, want %d", len(f.events), n)
	}
	var consented int
	for _, e := range f.events {
		url, _ := e["url"].(string)
		if !strings.HasPrefix(url, "https://localhost/") {
			t.Fatalf("url %q", url)
		}
		if e["vid"] != nil {
			consented++
			if e["vid"] != "server-vid" || e["consent"] != "tok" || e["sid"] == "" {
				t.Fatalf("consented event %v: want the server's visitor ID, a session and the token", e)
			}
		} else if e["sid"] != nil || e["consent"] != nil {
			t.Fatalf("anonymous event with identifiers: %v", e)
		}
	}
	if consented != tot.Consented || f.decisions == 0 || f.decisions > tot.Visitors {
		t.Fatalf("%d consented events (generated %d), %d decisions for %d visitors", consented, tot.Consented, f.decisions, tot.Visitors)
	}
	for _, b := range f.batches {
		if b > 50 {
			t.Fatalf("a request carried %d events, more than 50", b)
		}
	}
	if len(f.uas) < 3 {
		t.Fatalf("%d distinct User-Agents, want the visitors' own", len(f.uas))
	}
}
