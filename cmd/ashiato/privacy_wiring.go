package main

import (
	"context"
	"net/netip"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/admin"
	"github.com/ashiato/ashiato/collector/audience"
	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/ingest"
	"github.com/ashiato/ashiato/collector/interest"
	"github.com/ashiato/ashiato/collector/lookalike"
	"github.com/ashiato/ashiato/collector/privacy"
	"github.com/ashiato/ashiato/collector/store"
)

// privacyState is the state of the privacy stage inside Main. The
// durations are zero in production (defaults apply); tests shorten them.
type privacyState struct {
	svc       *privacy.Service
	retention *privacy.Retention
	auditor   *admin.Auditor
	cancel    context.CancelFunc
	done      chan struct{}

	reloadEvery    time.Duration // reload links and suppressions; default 5s
	retentionFirst time.Duration // first retention run after start; default 1m
	retentionEvery time.Duration // default 1h
	settle         time.Duration // erasure's wait after suppressing; default 1s
	auditEvery     time.Duration // flush audit rows; default 1s
	eraseEvery     time.Duration // erasure batches; default 10s
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// startPrivacy wires identities, visitors' rights, retention and the admin
// API into the running collector.
func (m *Main) startPrivacy(ctx context.Context, app *fiber.App, api fiber.Router, h *ingest.Handler, ch *ingest.ConsentHandler) error {
	p := &m.privacy
	secret, err := config.LoadSecret(m.Config.SecretFile)
	if err != nil {
		return err
	}
	p.svc = &privacy.Service{Store: m.store, Keys: privacy.NewKeyer(secret), Sites: h.Sites.Get,
		Log: m.Log, Now: time.Now, Settle: orDefault(p.settle, time.Second)}
	// Suppressions must be known before the writer drains the spool.
	if err := p.svc.Reload(ctx); err != nil {
		return err
	}
	h.Identities = p.svc
	m.gate.Subjects = p.svc // erased and stopped visitors' tokens stop counting
	// Decisions: withdrawal acts in memory at once and in ClickHouse once
	// the decision is stored; a decision of a subject erased while it was
	// in flight is stored pseudonymised; self-service shows it at once.
	ch.OnDecision = p.svc.Decided
	m.ledger.Finish, m.ledger.Landed, p.svc.InFlight = p.svc.LedgerEntry, p.svc.Landed, m.ledger.Pending
	for e := range m.ledger.InFlight() {
		p.svc.Decided(e) // decisions spooled before a restart
	}
	ch.ErasedVisitor = func(site, vid string) bool { return p.svc.Erased(site, store.KindVisitor, vid) }
	(&ingest.IdentifyHandler{Sites: h.Sites, Verifier: h.Verifier, Gate: m.gate, Linker: p.svc, Log: m.Log, Now: m.now}).Register(api)
	(&ingest.RightsHandler{Sites: h.Sites, Verifier: h.Verifier, Gate: m.gate, Rights: p.svc, Log: m.Log, Now: m.now,
		Budget: &ingest.Windows{Max: ingest.SelfServiceBudget, Window: time.Minute}}).Register(api)
	p.retention = &privacy.Retention{Store: m.store, Sites: h.Sites.All(), Log: m.Log, Now: time.Now,
		AuditDays: m.Config.AuditRetentionDays}
	p.auditor = &admin.Auditor{Store: m.store, Log: m.Log, Interval: p.auditEvery}
	p.auditor.Start()
	adminAPI := &admin.API{Tokens: &admin.Tokens{Store: m.store}, Store: m.store, Privacy: p.svc, Retention: p.retention, Log: m.Log,
		Stats: m.archived(m.statsEngine(h.Sites.Get), h.Sites.All), Auditor: p.auditor, AuthLimit: admin.NewAuthLimiter(m.Config.Server.AdminAuthFailures),
		ClientIP: func(c *fiber.Ctx) netip.Addr {
			return m.enricher.ClientIP(ingest.RemoteAddr(c), ingest.ForwardedFor(c))
		},
		PublicURL: m.Config.PublicURL,
	}
	if m.archive != nil {
		p.svc.AfterErasure = m.archive.Invalidate // an erased subject leaves the archived views at once
	}
	adminAPI.Audiences = &audience.Service{Store: m.store, Privacy: p.svc, Sites: h.Sites.Get, Now: time.Now}
	adminAPI.Interests = &interest.Service{Store: m.store, Sites: h.Sites.Get}
	adminAPI.Lookalike = &lookalike.Service{Store: m.store, Audiences: adminAPI.Audiences, Sites: h.Sites.Get, Now: time.Now}
	m.startPreferences(api, adminAPI, h.Sites, secret)
	adminAPI.Register(app)
	m.startDashboard(app, adminAPI, h.Sites.All, secret)

	bg, cancel := context.WithCancel(context.Background())
	p.cancel, p.done = cancel, make(chan struct{})
	go func() {
		defer close(p.done)
		done := make(chan struct{})
		go func() {
			p.retention.Loop(bg, orDefault(p.retentionFirst, time.Minute), orDefault(p.retentionEvery, time.Hour))
			close(done)
		}()
		erasing := make(chan struct{})
		go func() {
			p.svc.RunErasures(bg, orDefault(p.eraseEvery, 10*time.Second))
			close(erasing)
		}()
		p.svc.Run(bg, orDefault(p.reloadEvery, 5*time.Second))
		<-done
		<-erasing
	}()
	return nil
}

// stopPrivacy stops the reload and retention loops and waits for
// erasures still running. Main.Close calls it before closing the store.
func (m *Main) stopPrivacy() {
	p := &m.privacy
	if p.cancel != nil {
		p.cancel()
		<-p.done
	}
	if p.svc != nil {
		p.svc.Wait()
	}
	if p.auditor != nil {
		p.auditor.Close() // the app has stopped: no request adds a row any more
	}
}

// privacyKeep reports whether the writer may store ev (false for erased or
// suppressed subjects).
func (m *Main) privacyKeep(ev *collector.Event) bool {
	if m.privacy.svc == nil {
		return true
	}
	return m.privacy.svc.Keep(ev)
}
