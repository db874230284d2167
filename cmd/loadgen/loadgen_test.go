package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/ingest"
)

func writeCorpus(t *testing.T, lines ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "uas.txt")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadUAsNormalises(t *testing.T) {
	p := writeCorpus(t,
		"Curl\t7.0\tcurl/7.0",
		`"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"`,
		"curl/7.0", // duplicate after normalisation
		"",
		"bad\x01ua",
		"Googlebot/2.1 (+http://www.google.com/bot.html)")
	uas, err := LoadUAs(p)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"}
	if len(uas) != 3 || uas[0] != want[0] {
		t.Fatalf("got %q, want 3 strings with the browser first", uas)
	}
	for _, ua := range uas {
		if strings.ContainsAny(ua, "\t\"\x01") {
			t.Errorf("not normalised: %q", ua)
		}
	}
}

func TestLoadsTheRepositoryCorpus(t *testing.T) {
	uas, err := LoadUAs("../../collector/enrich/testdata/user-agents.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(uas) < 1000 {
		t.Errorf("%d UAs from the test corpus, want > 1000", len(uas))
	}
}

// readRequest parses one request produced by the generator.
func readRequest(t *testing.T, raw []byte) (*http.Request, []byte) {
	t.Helper()
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatalf("generated request does not parse: %v\n%s", err, raw)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	return req, body
}

func TestGeneratedEventsPassTheCollectorsValidation(t *testing.T) {
	mix := &UAMix{UAs: []string{"Mozilla/5.0 A Chrome/1 Safari/1", "Mozilla/5.0 B Firefox/2", "curl/8"}, NewShare: 0.5}
	g := NewGenerator(Target{Host: "127.0.0.1:1", Path: "/api/event", Site: "demo", Origin: "http://localhost:3000"}, mix, 1, 2)
	eids := map[string]bool{}
	uas := map[string]bool{}
	for i := range 500 {
		events := 1
		if i%10 == 0 {
			events = 7
		}
		req, body := readRequest(t, g.Request(nil, events, ""))
		if req.Method != "POST" || req.URL.Path != "/api/event" || req.Header.Get("Content-Type") == "" || req.Header.Get("Origin") != "http://localhost:3000" {
			t.Fatalf("request %d: %s %s %v", i, req.Method, req.URL, req.Header)
		}
		uas[req.Header.Get("User-Agent")] = true
		hits, bad, derr := ingest.Decode(body)
		if derr != nil || len(bad) > 0 || len(hits) != events {
			t.Fatalf("request %d: decode: %v %v, %d hits\n%s", i, derr, bad, len(hits), body)
		}
		for j := range hits {
			if e := ingest.Validate(&hits[j]); e != nil {
				t.Fatalf("request %d event %d invalid: %v\n%s", i, j, e, body)
			}
			if hits[j].Site != "demo" || eids[hits[j].EID] {
				t.Fatalf("request %d event %d: site %q, eid %q (repeated: %v)", i, j, hits[j].Site, hits[j].EID, eids[hits[j].EID])
			}
			eids[hits[j].EID] = true
		}
	}
	if g.New == 0 || g.New == g.Total {
		t.Errorf("%d of %d requests with a never-seen UA at share 0.5", g.New, g.Total)
	}
	// Every never-seen UA is unique; the others come from the list.
	if len(uas) < g.New || len(uas) > g.New+len(mix.UAs) {
		t.Errorf("%d distinct UAs for %d never-seen ones and a list of %d", len(uas), g.New, len(mix.UAs))
	}
}

// recorder is an HTTP server that answers like the collector and records
// the User-Agents it saw.
type recorder struct {
	mu  sync.Mutex
	uas map[string]int
	n   int
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	hits, _, derr := ingest.Decode(body)
	rec.mu.Lock()
	rec.uas[r.UserAgent()]++
	rec.n++
	n := rec.n
	rec.mu.Unlock()
	if derr != nil {
		http.Error(w, derr.Error(), 400)
		return
	}
	if n%7 == 0 {
		w.Header().Set("Connection", "close") // the client must reconnect
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(202)
	_, _ = io.WriteString(w, `{"accepted":`+itoa(len(hits))+`}`)
}

func itoa(n int) string { return strconv.Itoa(n) }

func startRecorder(t *testing.T) (*recorder, string) {
	rec := &recorder{uas: map[string]int{}}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return rec, srv.URL + "/api/event"
}

func TestFillEachUA(t *testing.T) {
	rec, url := startRecorder(t)
	corpus := []string{"Mozilla/5.0 A Chrome/1 Safari/1", "Mozilla/5.0 B Firefox/2", "curl/8", "Wget/1.0", "Googlebot/2.1"}
	c := common{URL: url, UAFile: writeCorpus(t, corpus...), Site: "demo", Conns: 3, Seed: 1, Timeout: 5 * time.Second}
	res, err := RunFill(c, FillOptions{EachUA: true, Batch: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != len(corpus) || res.Statuses["202"] != len(corpus) || res.Errors != 0 || res.Accepted != 3*len(corpus) {
		t.Fatalf("result %+v", res)
	}
	for _, ua := range corpus {
		if rec.uas[ua] != 1 {
			t.Errorf("UA %q seen %d times, want once", ua, rec.uas[ua])
		}
	}
}

func TestOpenLoopSendsTheSchedule(t *testing.T) {
	rec, url := startRecorder(t)
	c := common{URL: url, UAFile: writeCorpus(t, "curl/8", "Wget/1.0"), Site: "demo", Conns: 4, Seed: 1, Timeout: 5 * time.Second}
	// 200/s: one request every 5 ms, 20 in the warm-up and 100 measured.
	res, err := RunOpen(c, OpenOptions{Rate: 200, Warmup: 100 * time.Millisecond, Duration: 500 * time.Millisecond, MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 100 || res.Statuses["202"] != 100 || res.Errors != 0 || res.Latency.N != 100 || res.Conns < 4 || res.Conns > 8 {
		t.Fatalf("result %+v", res)
	}
	if rec.n != 100+20 { // the warm-up is sent, not measured
		t.Errorf("server saw %d requests, want 120", rec.n)
	}
	if res.Latency.P99 < res.ServiceTime.P50 || res.Latency.Max < res.Latency.P99 {
		t.Errorf("latency percentiles out of order: %+v / %+v", res.Latency, res.ServiceTime)
	}
}

// A server slower than the schedule allows with the first connections makes
// the generator open more, up to the cap, instead of sending less.
func TestOpenLoopOpensConnectionsWhenAllAreBusy(t *testing.T) {
	rec := &recorder{uas: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		rec.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c := common{URL: srv.URL + "/api/event", UAFile: writeCorpus(t, "curl/8"), Site: "demo", Conns: 1, Seed: 1, Timeout: 5 * time.Second}
	// 400/s with 20 ms answers needs about 8 connections at once.
	res, err := RunOpen(c, OpenOptions{Rate: 400, Duration: 500 * time.Millisecond, MaxConns: 50})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 200 || res.Statuses["202"] != 200 || res.Conns < 4 {
		t.Fatalf("result %+v", res)
	}
	if res.ServiceTime.P50 < 20 || res.Latency.P50 < res.ServiceTime.P50 {
		t.Errorf("latency %+v, service %+v", res.Latency, res.ServiceTime)
	}
}

func TestSummarise(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 1000; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	p := Summarise(d)
	if p.N != 1000 || p.P50 != 500 || p.P99 != 990 || p.P999 != 999 || p.Max != 1000 {
		t.Errorf("%+v", p)
	}
}

func TestAcceptedCount(t *testing.T) {
	for body, want := range map[string]int{`{"accepted":12,"rejected":[]}`: 12, `{"accepted":0}`: 0, ``: 5, `{"x":1}`: 5} {
		if got := acceptedCount([]byte(body), 5); got != want {
			t.Errorf("%s: %d, want %d", body, got, want)
		}
	}
}

func TestFsyncProbe(t *testing.T) {
	dir := t.TempDir()
	res, err := RunFsync(FsyncOptions{Dir: dir, N: 20, Size: 4096, Busy: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.N != 20 || res.Latency.N != 20 || res.Latency.P50 <= 0 || res.Latency.Max < res.Latency.P50 || res.CPUPerOp <= 0 {
		t.Fatalf("result %+v", res)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("probe left %d files in %s", len(left), dir)
	}
	if _, err := RunFsync(FsyncOptions{Dir: dir, N: 0, Size: 4096}); err == nil {
		t.Error("-n 0 accepted")
	}
}

// TestConsentRequests: with Target.Consent, a request is a decision the
// collector takes (a JSON object with a known method and the banner's
// revision and texts hash).
func TestConsentRequests(t *testing.T) {
	mix := &UAMix{UAs: []string{"Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"}}
	g := NewGenerator(Target{Host: "127.0.0.1:1", Path: "/api/consent", Site: "demo", Consent: `"revision":3,"texts_hash":"ab"`}, mix, 1, 2)
	methods := map[string]int{}
	for range 200 {
		req := string(g.Request(nil, 5, ""))
		_, body, ok := strings.Cut(req, "\r\n\r\n")
		if !ok || !strings.HasPrefix(req, "POST /api/consent HTTP/1.1\r\n") {
			t.Fatalf("request: %q", req)
		}
		var d struct {
			Site, Method, TextsHash string
			Revision                int
			Granted                 []string
		}
		if err := json.Unmarshal([]byte(body), &d); err != nil {
			t.Fatalf("body %q: %v", body, err)
		}
		if d.Site != "demo" || d.Revision != 3 {
			t.Fatalf("decision %+v", d)
		}
		methods[d.Method]++
	}
	if len(methods) != 3 || methods["accept_all"] < 60 {
		t.Errorf("methods %v, want accept_all, reject_all and custom, about half accept_all", methods)
	}
}
