package web

import (
	"errors"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"
)

// timedApp is an app with a hit-like endpoint, a route with a parameter,
// an endpoint that answers 404 itself and one that fails, behind Timing
// (or not, with timing nil).
func timedApp(timing *Timing) *fiber.App {
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		var fe *fiber.Error
		if errors.As(err, &fe) {
			return c.Status(fe.Code).SendString(fe.Message)
		}
		return c.Status(503).SendString("unavailable")
	}})
	if timing != nil {
		app.Use(timing.Handler)
	}
	app.Use(func(c *fiber.Ctx) error { return c.Next() }) // a middleware, as the collector's
	app.Post("/api/event", func(c *fiber.Ctx) error { return c.SendStatus(202) })
	app.Get("/admin/api/stats/:report", func(c *fiber.Ctx) error { return c.SendStatus(200) })
	app.Get("/api/consent", func(c *fiber.Ctx) error { return c.SendStatus(404) })
	app.Get("/fails", func(c *fiber.Ctx) error { return errors.New("store down") })
	return app
}

func serve(h fasthttp.RequestHandler, method, uri string) int {
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod(method)
	ctx.Request.SetRequestURI(uri)
	h(&ctx)
	return ctx.Response.StatusCode()
}

func TestTimingLabels(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := timedApp(NewTiming(reg)).Handler()
	for _, r := range []struct {
		method, uri string
		status      int
	}{
		{"POST", "/api/event", 202}, {"POST", "/api/event", 202},
		{"GET", "/admin/api/stats/pages", 200}, {"GET", "/admin/api/stats/sources", 200},
		{"GET", "/api/consent", 404},
		{"GET", "/fails", 503},
		{"GET", "/wp-login.php", 404}, {"GET", "/.env", 404},
	} {
		if st := serve(h, r.method, r.uri); st != r.status {
			t.Fatalf("%s %s: %d, want %d", r.method, r.uri, st, r.status)
		}
	}
	want := map[string]uint64{
		`code="2xx",route="/api/event"`:               2,
		`code="2xx",route="/admin/api/stats/:report"`: 2,
		`code="4xx",route="/api/consent"`:             1,
		`code="5xx",route="/fails"`:                   1,
		`code="4xx",route="unmatched"`:                2,
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got, series := map[string]uint64{}, 0
	for _, mf := range mfs {
		if mf.GetName() != "ashiato_http_request_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			series++
			var l []string
			for _, p := range m.GetLabel() {
				l = append(l, p.GetName()+`="`+p.GetValue()+`"`)
			}
			if n := m.GetHistogram().GetSampleCount(); n > 0 {
				got[strings.Join(l, ",")] = n
			}
		}
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d requests, want %d (all: %v)", k, got[k], n, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("series with requests: %v, want %v", got, want)
	}
	if series != 5*5 {
		t.Errorf("%d series, want 5 routes × 5 classes", series)
	}
}

// TestTimingAllocs: the middleware adds no allocation to a request of a
// route it has seen.
func TestTimingAllocs(t *testing.T) {
	plain := timedApp(nil).Handler()
	timed := timedApp(NewTiming(nil)).Handler()
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod("POST")
	ctx.Request.SetRequestURI("/api/event")
	run := func(h fasthttp.RequestHandler) func() {
		return func() { ctx.Response.Reset(); h(&ctx) }
	}
	run(timed)()
	base := testing.AllocsPerRun(1000, run(plain))
	with := testing.AllocsPerRun(1000, run(timed))
	if with > base {
		t.Errorf("allocations per request: %.1f with Timing, %.1f without", with, base)
	}
}

func BenchmarkTiming(b *testing.B) {
	for _, bc := range []struct {
		name   string
		timing *Timing
	}{{"without", nil}, {"with", NewTiming(nil)}} {
		b.Run(bc.name, func(b *testing.B) {
			h := timedApp(bc.timing).Handler()
			var ctx fasthttp.RequestCtx
			ctx.Request.Header.SetMethod("POST")
			ctx.Request.SetRequestURI("/api/event")
			b.ReportAllocs()
			for b.Loop() {
				ctx.Response.Reset()
				h(&ctx)
			}
		})
	}
}
