package main

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"io"
	"runtime"
	"strings"
	"testing"
)

// encoded returns s through a compressing writer.
func encoded(t *testing.T, s string, wrap func(io.Writer) io.WriteCloser) string {
	t.Helper()
	var b bytes.Buffer
	w := wrap(&b)
	io.WriteString(w, s)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func gzipped(t *testing.T, s string) string {
	return encoded(t, s, func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) })
}

func zlibbed(t *testing.T, s string) string {
	return encoded(t, s, func(w io.Writer) io.WriteCloser { return zlib.NewWriter(w) })
}

// TestCompressedBodies: gzip and deflate bodies are decoded and stored; the
// 64 KiB limit holds for the decoded body, and a small body that inflates
// to 100 MiB is refused without being inflated (Fiber's own decoding would
// allocate all of it); other codings get 415 instead of being read as JSON.
func TestCompressedBodies(t *testing.T) {
	ts := startServer(t)
	hdr := func(enc string) map[string]string {
		return map[string]string{"Origin": "http://localhost:3000", "Content-Encoding": enc}
	}
	event := func(path string) string { return `{"site":"demo","url":"http://localhost:3000` + path + `"}` }
	bomb := gzipped(t, `{"site":"demo","url":"http://localhost:3000/","title":"`+strings.Repeat("0", 100<<20)+`"}`)
	if len(bomb) > 128<<10 {
		t.Fatalf("the bomb is %d bytes; the server reads at most 128 KiB", len(bomb))
	}
	steps := []struct {
		name, enc, body string
		status          int
		want            string
	}{
		{"gzip", "gzip", gzipped(t, event("/gzip")), 202, `"accepted":1`},
		{"x-gzip in capitals", " X-GZIP ", gzipped(t, event("/x-gzip")), 202, `"accepted":1`},
		{"deflate (zlib)", "deflate", zlibbed(t, event("/deflate")), 202, `"accepted":1`},
		{"gzip then deflate", "gzip, deflate", zlibbed(t, gzipped(t, event("/both"))), 202, `"accepted":1`},
		{"identity", "identity", event("/identity"), 202, `"accepted":1`},
		{"broken gzip", "gzip", gzipped(t, event("/broken"))[:20], 400, `"field":"body"`},
		{"plain JSON said to be gzip", "gzip", event("/liar"), 400, `"field":"body"`},
		{"brotli is not decoded", "br", event("/br"), 415, `"error":"unsupported_encoding"`},
		{"too many codings", "gzip, gzip, gzip", event("/many"), 415, `"error":"unsupported_encoding"`},
		{"over 64 KiB once inflated", "gzip", gzipped(t, `{"site":"demo","url":"http://localhost:3000/","title":"`+strings.Repeat("x", 70<<10)+`"}`), 413, `"error":"too_large"`},
	}
	for _, s := range steps {
		st, body, h := ts.post(t, "/api/event", s.body, hdr(s.enc))
		if st != s.status || !strings.Contains(body, s.want) {
			t.Errorf("%s: %d %s; want %d with %s", s.name, st, body, s.status, s.want)
		}
		if h.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
			t.Errorf("%s: CORS origin %q: a browser would see a network error", s.name, h.Get("Access-Control-Allow-Origin"))
		}
	}

	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	st, body, _ := ts.post(t, "/api/event", bomb, hdr("gzip"))
	runtime.ReadMemStats(&m1)
	if st != 413 || !strings.Contains(body, `"error":"too_large"`) {
		t.Errorf("a %d-byte body that inflates to 100 MiB: %d %s; want 413 too_large", len(bomb), st, body)
	}
	if grew := m1.TotalAlloc - m0.TotalAlloc; grew > 16<<20 {
		t.Errorf("the 100 MiB bomb made the process allocate %d MiB; decoding must stop at the body limit", grew>>20)
	}

	_, metrics, _ := ts.get(t, "/metrics", metricsAuth)
	for _, want := range []string{
		`ashiato_hits_rejected_total{reason="unsupported_encoding"} 2`,
		`ashiato_hits_rejected_total{reason="too_large"} 2`,
		`ashiato_hits_rejected_total{reason="invalid"} 2`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	ts.waitCount(t, "url_path IN ('/gzip','/x-gzip','/deflate','/both','/identity')", 5)
	ts.waitCount(t, "url_path IN ('/broken','/liar','/br','/many')", 0)
}
