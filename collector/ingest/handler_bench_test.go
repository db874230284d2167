package ingest_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/consent"
	"github.com/ashiato/ashiato/collector/enrich"
	"github.com/ashiato/ashiato/collector/ingest"
	"github.com/ashiato/ashiato/collector/spool"
)

// memSalts keeps the daily salts in memory (the collector keeps them in
// ClickHouse).
type memSalts struct {
	mu sync.Mutex
	m  map[time.Time][]consent.Salt
}

func (s *memSalts) Salts(_ context.Context, days []time.Time) (map[time.Time][]consent.Salt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[time.Time][]consent.Salt{}
	for _, d := range days {
		out[d] = s.m[d]
	}
	return out, nil
}

func (s *memSalts) AddSalt(_ context.Context, v consent.Salt) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[time.Time][]consent.Salt{}
	}
	s.m[v.Day] = append(s.m[v.Day], v)
	return nil
}

func (s *memSalts) DeleteSaltsBefore(context.Context, time.Time) error { return nil }

// encodeSink encodes events as the spool does, without the disk.
type encodeSink struct {
	buf    []byte
	events int
}

func (s *encodeSink) Submit(_ context.Context, evs []collector.Event) error {
	for i := range evs {
		s.buf = spool.AppendEvent(s.buf[:0], &evs[i])
	}
	s.events += len(evs)
	return nil
}

// defaults is what the in-process handlers share: the default
// configuration, its enricher, a signer and a logger that drops all.
type defaults struct {
	cfg    config.Config
	en     *enrich.Enricher
	signer *consent.Signer
	quiet  *slog.Logger
}

func newDefaults(tb testing.TB) defaults {
	tb.Helper()
	d := defaults{cfg: config.Default(), quiet: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := d.cfg.Finish(); err != nil {
		tb.Fatal(err)
	}
	var err error
	if d.en, err = enrich.New(d.cfg.Enrich, d.quiet); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.en.Close() })
	if d.signer, err = consent.NewSigner(make([]byte, 32)); err != nil {
		tb.Fatal(err)
	}
	return d
}

// inProcess returns the Fiber handler of the event endpoints with the
// default configuration and sink, and its enricher.
func inProcess(tb testing.TB, sink ingest.Sink) (fasthttp.RequestHandler, *enrich.Enricher) {
	tb.Helper()
	d := newDefaults(tb)
	cfg, en, signer, quiet := d.cfg, d.en, d.signer, d.quiet
	salter := consent.NewSalter(&memSalts{}, quiet)
	if err := salter.Refresh(context.Background()); err != nil {
		tb.Fatal(err)
	}
	h := &ingest.Handler{Sites: ingest.NewSites(cfg.Sites), Verifier: signer, Enricher: en, IPs: en,
		Hasher: salter, Sink: sink, Metrics: ingest.NewMetrics(nil), Log: quiet, Now: time.Now}
	app := fiber.New()
	h.Register(app.Group("/api"))
	return app.Handler(), en
}

// BenchmarkPostEvent runs POST /api/event through the Fiber app in process
// (no network, no disk): the handler's own CPU and allocations per request,
// with the benchmark body and known User-Agents, as in `make bench`.
func BenchmarkPostEvent(b *testing.B) {
	sink := &encodeSink{}
	handler, en := inProcess(b, sink)
	uas := []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:128.0) Gecko/20100101 Firefox/128.0",
	}
	for _, ua := range uas {
		en.UA(ua) // in the cache, as in steady state
	}
	body := []byte(`{"site":"demo","type":"pageview","url":"http://localhost/products/123?utm_source=news&utm_medium=email&utm_campaign=spring","referrer":"https://www.google.com/","title":"商品一覧 | デモショップ","screen":"1920x1080","lang":"ja","eid":"0f8c1e2a-1111-4222-8333-444455556666","props":{"plan":"pro","ab":"a","logged_in":false}}`)
	var req fasthttp.Request
	var ctx fasthttp.RequestCtx
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		post(&ctx, &req, "/api/event", uas[i%len(uas)], body)
		handler(&ctx)
		if st := ctx.Response.StatusCode(); st != fiber.StatusAccepted {
			b.Fatalf("status %d: %s", st, ctx.Response.Body())
		}
		i++
	}
	if sink.events != i {
		b.Fatalf("%d events reached the sink, want %d", sink.events, i)
	}
}

// post readies ctx for a browser's POST of body to path from a visitor's
// address, as the benchmarks send it.
func post(ctx *fasthttp.RequestCtx, req *fasthttp.Request, path, ua string, body []byte) {
	req.Reset()
	req.Header.SetMethod("POST")
	req.SetRequestURI(path)
	req.Header.SetContentType("text/plain;charset=UTF-8")
	req.Header.Set("Origin", "http://localhost:3000")
	req.Header.SetUserAgent(ua)
	req.SetBody(body)
	ctx.Init(req, visitor, nil)
}

var visitor = &net.TCPAddr{IP: net.IPv4(203, 0, 113, 7), Port: 50000}
