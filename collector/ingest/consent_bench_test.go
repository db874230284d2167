package ingest_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/ashiato/ashiato/collector/consent"
	"github.com/ashiato/ashiato/collector/ingest"
	"github.com/ashiato/ashiato/collector/ledger"
)

// encodeLedger encodes entries as the consent spool does, without the disk.
type encodeLedger struct {
	buf     []byte
	entries int
}

func (l *encodeLedger) Record(_ context.Context, e consent.Entry) error {
	l.buf = ledger.AppendEntry(l.buf[:0], &e)
	l.entries++
	return nil
}

// BenchmarkPostConsent runs POST /api/consent of new visitors through the
// Fiber app in process (no network, no disk): the decision's own CPU and
// allocations per request, beside BenchmarkPostEvent.
func BenchmarkPostConsent(b *testing.B) {
	d := newDefaults(b)
	cfg, en, signer, quiet := d.cfg, d.en, d.signer, d.quiet
	sites := ingest.NewSites(cfg.Sites)
	site := sites.All()[0]
	banner := consent.NewBannerConfig(site)
	led := &encodeLedger{}
	h := &ingest.ConsentHandler{Sites: sites, Signer: signer, Ledger: led, UA: en,
		Gate:    &consent.Gate{Supersessions: consent.NewSupersessions(nil, quiet)},
		Configs: map[string]consent.BannerConfig{site.ID: banner}, Log: quiet, Now: time.Now}
	app := fiber.New()
	h.Register(app.Group("/api"))
	handler := app.Handler()
	ua := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
	en.UA(ua)
	body := []byte(`{"site":"` + site.ID + `","granted":["analytics","personalization","advertising"],"method":"accept_all","revision":` +
		strconv.Itoa(banner.Revision) + `,"texts_hash":"` + banner.TextsHash + `","lang":"ja"}`)
	var req fasthttp.Request
	var ctx fasthttp.RequestCtx
	b.ReportAllocs()
	for b.Loop() {
		post(&ctx, &req, "/api/consent", ua, body)
		handler(&ctx)
		if st := ctx.Response.StatusCode(); st != fiber.StatusOK {
			b.Fatalf("status %d: %s", st, ctx.Response.Body())
		}
	}
	if led.entries != b.N {
		b.Fatalf("%d entries recorded, want %d", led.entries, b.N)
	}
}
