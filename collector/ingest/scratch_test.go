package ingest_test

import (
	"context"
	"net"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/ashiato/ashiato/collector"
)

// keepSink keeps a copy of every event it receives.
type keepSink struct{ got []collector.Event }

func (s *keepSink) Submit(_ context.Context, evs []collector.Event) error {
	s.got = append(s.got, evs...)
	return nil
}

// The handler reuses the memory of a request's hit and event for the next
// request: nothing of one request may show up in the next.
func TestRequestsShareNoFields(t *testing.T) {
	sink := &keepSink{}
	handler, _ := inProcess(t, sink)
	send := func(method, uri, body string, want int) {
		t.Helper()
		var req fasthttp.Request
		var ctx fasthttp.RequestCtx
		req.Header.SetMethod(method)
		req.SetRequestURI(uri)
		req.Header.SetContentType("text/plain")
		req.Header.SetUserAgent("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
		req.SetBody([]byte(body))
		ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(203, 0, 113, 7), Port: 50000}, nil)
		handler(&ctx)
		if st := ctx.Response.StatusCode(); st != want {
			t.Fatalf("%s %s: status %d: %s", method, uri, st, ctx.Response.Body())
		}
		// The answer is read after the handler has released the scratch.
		if body := string(ctx.Response.Body()); want == fiber.StatusAccepted && body != `{"accepted":1}` {
			t.Fatalf("%s %s: body %q, want {\"accepted\":1}", method, uri, body)
		}
	}
	const full = `{"site":"demo","type":"event","name":"signup","url":"http://localhost/a?utm_source=news&utm_campaign=spring","referrer":"https://www.google.com/","title":"A","screen":"1920x1080","lang":"ja","eid":"0f8c1e2a-1111-4222-8333-444455556666","props":{"plan":"pro"}}`
	// Each round: a full event, then a bare one by POST and by the GIF
	// beacon (both entry points share the scratch).
	for range 3 {
		send("POST", "/api/event", full, fiber.StatusAccepted)
		send("POST", "/api/event", `{"site":"demo","type":"pageview","url":"http://localhost/b"}`, fiber.StatusAccepted)
		send("POST", "/api/event", full, fiber.StatusAccepted)
		send("GET", "/api/event.gif?site=demo&type=pageview&url=http%3A%2F%2Flocalhost%2Fb", "", fiber.StatusOK)
	}
	if len(sink.got) != 12 {
		t.Fatalf("%d events stored, want 12", len(sink.got))
	}
	for i := 1; i < len(sink.got); i += 2 {
		e := sink.got[i]
		if e.Name != "" || e.Title != "" || e.Referrer != "" || e.UTMSource != "" || e.UTMCampaign != "" ||
			e.Screen != "" || e.Lang != "" || len(e.PropKeys) != 0 ||
			e.URLPath != "/b" || e.Type != "pageview" || e.EventID == sink.got[i-1].EventID {
			t.Fatalf("event %d carries fields of the request before it: %+v", i, e)
		}
		if p := sink.got[i-1]; p.Title != "A" || p.UTMSource != "news" || len(p.PropKeys) != 1 || p.Name != "signup" {
			t.Fatalf("event %d lost its own fields: %+v", i-1, p)
		}
	}
}
