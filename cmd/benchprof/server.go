package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/pprof"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/batch"
	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/consent"
	"github.com/ashiato/ashiato/collector/enrich"
	"github.com/ashiato/ashiato/collector/ingest"
	"github.com/ashiato/ashiato/collector/spool"
	"github.com/ashiato/ashiato/collector/store"
)

// Server is the running profiling variant.
type Server struct {
	Addr     string
	Log      *slog.Logger
	app      *fiber.App
	store    *store.Store
	enricher *enrich.Enricher
	spool    *spool.Spool
	cancel   context.CancelFunc
	done     chan struct{}
}

// Start wires the hot path as cmd/ashiato/serve.go does and listens.
func Start(ctx context.Context, cfg config.Config, logw io.Writer) (*Server, error) {
	s := &Server{Log: slog.New(slog.NewJSONHandler(logw, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	if err := s.start(ctx, cfg); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) start(ctx context.Context, cfg config.Config) error {
	reg := prometheus.NewRegistry()
	secret, err := config.LoadSecret(cfg.SecretFile)
	if err != nil {
		return err
	}
	signer, err := consent.NewSigner(secret)
	if err != nil {
		return err
	}
	if s.store, err = store.Open(ctx, cfg.Config, false); err != nil {
		return err
	}
	if s.enricher, err = enrich.New(cfg.Enrich, s.Log); err != nil {
		return err
	}
	if s.spool, err = spool.Open(cfg.Spool, s.Log, reg); err != nil {
		return err
	}
	salter := consent.NewSalter(s.store, s.Log)
	if err := salter.Refresh(ctx); err != nil {
		return err
	}
	finish := func(ev *collector.Event) bool {
		if ev.UAKey != 0 {
			info, _ := s.enricher.UAByKey(ev.UAKey, 100*time.Millisecond)
			ingest.SetUA(ev, info, ev.BotReason == "webdriver")
		}
		return true
	}
	writer := batch.New(cfg.Writer, s.spool, s.store, finish, s.Log, reg)

	// The collector's Fiber configuration (cmd/ashiato/app.go).
	s.app = fiber.New(fiber.Config{
		AppName:               "ashiato-benchprof",
		DisableStartupMessage: true,
		BodyLimit:             collector.MaxBodyBytes,
		ReadTimeout:           cfg.Server.ReadTimeout,
		WriteTimeout:          cfg.Server.WriteTimeout,
		IdleTimeout:           cfg.Server.IdleTimeout,
		Concurrency:           cfg.Server.MaxConns,
		ReadBufferSize:        8192,
	})
	s.app.Use(pprof.New())
	// The enricher's counters (UA cache misses, parses, drops), which the
	// product does not export: they tell how many requests paid a UA parse.
	s.app.Get("/debug/enrich", func(c *fiber.Ctx) error { return c.JSON(s.enricher.Stats()) })
	h := &ingest.Handler{
		Sites: ingest.NewSites(cfg.Sites), Verifier: signer, Enricher: s.enricher, IPs: s.enricher,
		Hasher: salter, Sink: &batch.SpoolSink{Spool: s.spool},
		Metrics: ingest.NewMetrics(reg), Log: s.Log, Now: time.Now,
	}
	h.Register(s.app.Group("/api"))

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	s.Addr = ln.Addr().String()
	bg, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan struct{})
	go func() {
		defer close(s.done)
		writer.Run(bg)
	}()
	go salter.Run(bg, time.Minute)
	go func() { _ = s.app.Listener(ln) }()
	s.Log.Info("listening", "addr", s.Addr)
	return nil
}

// Close stops serving and closes every stage; what the writer did not
// insert stays in the spool.
func (s *Server) Close() error {
	var errs []error
	if s.app != nil {
		errs = append(errs, s.app.ShutdownWithTimeout(5*time.Second))
	}
	if s.cancel != nil {
		s.cancel()
		<-s.done
	}
	if s.spool != nil {
		errs = append(errs, s.spool.Close())
	}
	if s.enricher != nil {
		errs = append(errs, s.enricher.Close())
	}
	if s.store != nil {
		errs = append(errs, s.store.Close())
	}
	return errors.Join(errs...)
}
