package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ashiato/ashiato/collector/batch"
	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/enrich"
	"github.com/ashiato/ashiato/collector/ledger"
	"github.com/ashiato/ashiato/collector/privacy"
	"github.com/ashiato/ashiato/collector/spool"
	"github.com/ashiato/ashiato/collector/store"
)

// runSpool is `ashiato spool drain --dir DIR`: it delivers the spool of a
// collector that is gone for good (a pod scaled away, a retired machine)
// into ClickHouse, exactly once, and exits. The writer is serve's own, with
// the same erasure suppression; the spool's lock refuses a folder that a
// running collector still holds.
func runSpool(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	_, fs, err := subcommand("spool", "usage: ashiato spool drain --dir DIR [--timeout 10m] [--clickhouse-dsn …] [--secret-file …] [--config …]", args, stderr, "drain")
	if err != nil {
		return err
	}
	dir := fs.String("dir", "", "the spool folder to deliver (required; no collector may be using it)")
	timeout := fs.Duration("timeout", 10*time.Minute, "give up after this long; what is left stays in the folder")
	cfg, err := config.Load(fs, args[1:], os.Getenv)
	if err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("--dir is required: the spool folder to deliver")
	}
	if _, err := os.Stat(*dir); err != nil {
		return fmt.Errorf("spool folder: %w", err)
	}
	// The privacy keys derive from the deployment's shared secret: a new
	// one would let erased subjects' events through.
	if _, err := os.Stat(cfg.SecretFile); err != nil {
		return fmt.Errorf("secret file %s: %w (give the deployment's shared secret with --secret-file)", cfg.SecretFile, err)
	}
	cfg.Spool.Dir = *dir
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	m := &Main{Config: cfg, Log: newLogger(stderr, cfg.LogLevel)}
	defer m.Close()
	left, err := m.drainSpool(ctx)
	if err != nil {
		return err
	}
	if left > 0 {
		return fmt.Errorf("%d records left in %s after %s; run it again once ClickHouse takes inserts", left, *dir, *timeout)
	}
	fmt.Fprintf(stdout, "spool %s delivered: nothing left\n", *dir)
	return nil
}

// drainSpool opens the stages the writer needs (store, enricher, spool,
// erasure suppressions), runs the writer until the spool is empty or ctx
// ends, and returns the records left. Close releases them.
func (m *Main) drainSpool(ctx context.Context) (int64, error) {
	cfg := m.Config
	secret, err := config.LoadSecret(cfg.SecretFile)
	if err != nil {
		return 0, err
	}
	// The spool first: its lock refuses a folder a collector still holds,
	// and an empty one needs no ClickHouse.
	if m.spool, err = spool.Open(cfg.Spool, m.Log, prometheus.NewRegistry()); err != nil {
		return 0, err
	}
	// The consent decisions the collector acknowledged are in a spool of
	// their own inside the folder (consentSpool): they are delivered too.
	_, statErr := os.Stat(consentSpool(cfg.Spool).Dir)
	withLedger := statErr == nil
	start := m.spool.Stats().Records
	if start == 0 && !withLedger {
		return 0, nil
	}
	if m.store, err = store.Open(ctx, cfg.Config, false); err != nil {
		return start, fmt.Errorf("open ClickHouse: %w", err)
	}
	if m.enricher, err = enrich.New(cfg.Enrich, m.Log); err != nil {
		return start, err
	}
	m.privacy.svc = &privacy.Service{Store: m.store, Keys: privacy.NewKeyer(secret), Log: m.Log, Now: time.Now}
	if err := m.privacy.svc.Reload(ctx); err != nil {
		return start, fmt.Errorf("load erasures: %w", err)
	}
	left := func() int64 { return m.spool.Stats().Records }
	if withLedger {
		if m.ledger, err = ledger.Open(consentSpool(cfg.Spool), ledger.Config{Interval: cfg.Writer.Interval, RetryMax: cfg.Writer.RetryMax},
			m.store, m.Log, prometheus.NewRegistry()); err != nil {
			return start, err
		}
		m.ledger.Finish, m.ledger.Landed = m.privacy.svc.LedgerEntry, m.privacy.svc.Landed
		start += m.ledger.Records()
		left = func() int64 { return m.spool.Stats().Records + m.ledger.Records() }
	}
	m.writer = batch.New(cfg.Writer, m.spool, m.store, m.finish, m.Log, prometheus.NewRegistry())
	bg, stop := context.WithCancel(ctx)
	m.cancel, m.done, m.ledgerDone = stop, make(chan struct{}), make(chan struct{})
	go func() {
		defer close(m.done)
		m.writer.Run(bg)
	}()
	go func() {
		defer close(m.ledgerDone)
		if m.ledger != nil {
			m.ledger.Run(bg)
		}
	}()
	m.Log.Info("draining spool", "dir", cfg.Spool.Dir, "records", start)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for left() > 0 && ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
	stop()
	<-m.done
	<-m.ledgerDone
	m.cancel = nil
	n := left()
	m.Log.Info("spool drain finished", "delivered", start-n, "left", n)
	return n, nil
}
