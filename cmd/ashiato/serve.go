package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/batch"
	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/consent"
	"github.com/ashiato/ashiato/collector/enrich"
	"github.com/ashiato/ashiato/collector/ingest"
	"github.com/ashiato/ashiato/collector/ledger"
	"github.com/ashiato/ashiato/collector/rollup"
	"github.com/ashiato/ashiato/collector/spool"
	"github.com/ashiato/ashiato/collector/stats"
	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/collector/web"
	"github.com/ashiato/ashiato/internal/tune"
)

func runServe(ctx context.Context, args []string, _, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := config.Load(fs, args, os.Getenv)
	if err != nil {
		return err
	}
	m := &Main{Config: cfg, Log: newLogger(stderr, cfg.LogLevel)}
	tune.Runtime(os.Getenv)
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	<-ctx.Done()
	m.Log.Info("shutting down")
	// A second signal forces exit while the drain runs.
	go func() {
		sig := make(chan os.Signal, 1)
		notifyAgain(sig)
		<-sig
		m.Log.Warn("second signal: exiting now")
		os.Exit(1)
	}()
	return m.Close()
}

// Main is a running collector: every stage wired together. Tests start it
// in-process on port 0.
type Main struct {
	Config config.Config
	Log    *slog.Logger
	Addr   string // the address it listens on, once Run returned
	// DebugAddr is the address of the debug listener (debug.go), if any.
	DebugAddr string
	// Now is the clock of received hits and consent decisions; nil is
	// time.Now. Tests set it to load data dated in the past.
	Now func() time.Time
	// MetricsAddr is the address of the metrics listener (metrics.go), if any.
	MetricsAddr string

	reg      *prometheus.Registry
	store    *store.Store
	enricher *enrich.Enricher
	spool    *spool.Spool
	writer   *batch.Writer
	salter   *consent.Salter
	privacy  privacyState // owned by privacy_wiring.go
	// rollupStop stops the rollup refresh.
	rollupStop func()
	// archive keeps the sites' default views computed ahead (made in
	// stats_wiring.go), archiveStop stops it.
	archive     *stats.Archive
	archiveStop func()
	// freshFor is how long the stats engine keeps a rollup freshness check
	// (0: 5 s; negative: none, for tests that change the rollup).
	freshFor time.Duration
	debug    *http.Server // debug.go, when debug_listen is set
	metrics  *http.Server // metrics.go, when metrics_listen is set
	app      *fiber.App
	cancel   context.CancelFunc
	done     chan struct{}

	gate       *consent.Gate  // consent_wiring.go
	ledger     *ledger.Ledger // consent decisions' spool and writer (consent_wiring.go)
	ledgerDone chan struct{}
	// stopping is set when Close starts: /readyz answers 503 (ready.go).
	stopping atomic.Bool
}

// Run starts the collector and returns once it is listening.
func (m *Main) Run(ctx context.Context) error {
	cfg := m.Config
	m.reg = prometheus.NewRegistry()
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	secret, err := config.LoadSecret(cfg.SecretFile)
	if err != nil {
		return err
	}
	signer, err := consent.NewSigner(secret)
	if err != nil {
		return err
	}
	if m.store, err = openStore(ctx, cfg.Config, m.Log); err != nil {
		return err
	}
	if m.enricher, err = enrich.New(cfg.Enrich, m.Log); err != nil {
		return err
	}
	if m.spool, err = spool.Open(cfg.Spool, m.Log, m.reg); err != nil {
		return err
	}
	m.salter = consent.NewSalter(m.store, m.Log).WithClock(m.now)
	if err := m.salter.Refresh(ctx); err != nil {
		return err
	}
	m.writer = batch.New(cfg.Writer, m.spool, m.store, m.finish, m.Log, m.reg)
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "ashiato_writer_id_lookups_total",
		Help: "Event IDs looked up in ClickHouse before inserting: client retries, replayed spool records, repeats.",
	}, func() float64 { return float64(m.store.LookedUp()) }))

	if err := m.startGate(ctx); err != nil {
		return err
	}
	sites := ingest.NewSites(cfg.Sites)
	proxies, err := cfg.Enrich.Proxies()
	if err != nil {
		return err
	}
	m.app = newApp(cfg.Server, proxies, m.Log)
	m.app.Use(web.NewTiming(m.reg).Handler) // ashiato_http_request_duration_seconds{route, code}
	m.app.Use(markServing)                  // limit.go: a served request's connection is not slow
	warnAtStart(cfg, m.Log)
	api := m.app.Group("/api", (&proxyWarner{log: m.Log}).handler(cfg), rateLimit(cfg.Server, m.enricher))
	h := &ingest.Handler{
		Sites: sites, Verifier: signer, Gate: m.gate, Enricher: m.enricher, IPs: m.enricher,
		Hasher: m.salter, Sink: &batch.SpoolSink{Spool: m.spool},
		Metrics: ingest.NewMetrics(m.reg), Log: m.Log, Now: m.now,
	}
	h.Register(api)
	configs := map[string]consent.BannerConfig{}
	for _, site := range sites.All() {
		c := consent.NewBannerConfig(site)
		if err := m.store.SaveBannerConfig(ctx, c); err != nil {
			return fmt.Errorf("save banner texts of site %s: %w", site.ID, err)
		}
		configs[site.ID] = c
	}
	ch := &ingest.ConsentHandler{Sites: sites, Signer: signer, Gate: m.gate, Ledger: m.ledger, UA: m.enricher,
		Configs: configs, PublicURL: cfg.PublicURL, Log: m.Log, Now: m.now}
	ch.Register(api)
	m.app.Use("/admin", rateLimit(cfg.Server, m.enricher)) // unauthenticated floods must not fill the audit log
	if err := m.startPrivacy(ctx, m.app, api, h, ch); err != nil {
		return err
	}
	// The visits rollup and the archive of default views are kept in the
	// background until Close.
	m.rollupStop = background(func(ctx context.Context) { rollup.Loop(ctx, m.store, m.Config.RollupInterval, m.Log) })
	if m.archive != nil {
		m.archiveStop = background(m.archive.Loop)
	}
	web.RegisterPrivacy(m.app, sites.Get, time.Now())
	web.RegisterAssets(m.app)
	web.RegisterDemo(m.app, cfg.PublicURL)
	m.registerOps(cfg.MetricsToken) // ready.go

	if err := m.startDebug(cfg.DebugListen); err != nil {
		return fmt.Errorf("debug listen: %w", err)
	}
	if err := m.startMetrics(cfg.MetricsListen); err != nil {
		return fmt.Errorf("metrics listen: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	m.Addr = ln.Addr().String()
	ln = newLimitListener(ln, cfg.Server.MaxConns, cfg.Server.MaxConnsPerIP, m.enricher.Trusted)
	m.app.Server().ConnState = connState // the listener closes slow and idle connections first

	bg, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.done = make(chan struct{})
	go func() {
		defer close(m.done)
		m.writer.Run(bg)
	}()
	m.ledgerDone = make(chan struct{})
	go func() {
		defer close(m.ledgerDone)
		m.ledger.Run(bg)
	}()
	go m.salter.Run(bg, time.Minute)
	go m.gate.Supersessions.Run(bg, revocationsEvery, revocationsFull)
	go func() {
		if err := m.app.Listener(ln); err != nil {
			m.Log.Error("http server stopped", "err", err)
		}
	}()
	m.Log.Info("listening", "addr", m.Addr, "metrics_addr", m.MetricsAddr, "sites", len(cfg.Sites),
		"clickhouse", fmt.Sprintf("%d.%d.%d", m.store.Version.Version.Major, m.store.Version.Version.Minor, m.store.Version.Version.Patch))
	return nil
}

// finish completes an event in the writer: the parse of a never-seen UA
// (after a restart the key cannot be resolved and the UA stays unknown).
func (m *Main) finish(ev *collector.Event) bool {
	if ev.UAKey != 0 {
		info, _ := m.enricher.UAByKey(ev.UAKey, enrich.UAResolveWait)
		ingest.SetUA(ev, info, ev.BotReason == "webdriver")
	}
	return m.privacyKeep(ev)
}

// Close stops accepting requests, lets the writer drain what it can within
// a deadline, and closes every stage. Whatever is not drained stays in the
// spool for the next start.
func (m *Main) Close() error {
	m.stopping.Store(true)
	var errs []error
	if m.app != nil {
		errs = append(errs, m.app.ShutdownWithTimeout(10*time.Second))
	}
	if m.debug != nil {
		m.debug.Close()
	}
	if m.metrics != nil {
		m.metrics.Close()
	}
	if m.cancel != nil {
		m.drain(5 * time.Second)
		m.cancel()
		<-m.done
		if left := m.spool.Stats().Records; left > 0 {
			m.Log.Warn("records left in the spool for the next start", "records", left, "dir", m.Config.Spool.Dir)
		}
		<-m.ledgerDone
	}
	if m.rollupStop != nil {
		m.rollupStop()
	}
	if m.archiveStop != nil {
		m.archiveStop()
	}
	m.stopPrivacy()
	if m.spool != nil {
		errs = append(errs, m.spool.Close())
	}
	if m.ledger != nil {
		errs = append(errs, m.ledger.Close())
	}
	if m.enricher != nil {
		errs = append(errs, m.enricher.Close())
	}
	if m.store != nil {
		errs = append(errs, m.store.Close())
	}
	return errors.Join(errs...)
}

// drain waits until the spools are empty or the deadline passes.
func (m *Main) drain(d time.Duration) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) && (m.spool.Stats().Records > 0 || m.ledger.Records() > 0) {
		time.Sleep(50 * time.Millisecond)
	}
}

// openStore connects to ClickHouse, retrying for a while so that the
// collector and the server can be started together.
func openStore(ctx context.Context, cfg store.Config, log *slog.Logger) (*store.Store, error) {
	deadline := time.Now().Add(60 * time.Second)
	for {
		st, err := store.Open(ctx, cfg, false)
		if err == nil {
			return st, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, err
		}
		log.Warn("clickhouse not reachable yet; retrying", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
}

// background runs loop until the stop it returns is called; stop waits
// for loop to return.
func background(loop func(context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		loop(ctx)
	}()
	return func() { cancel(); <-done }
}
