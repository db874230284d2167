package main

import (
	"context"
	"path/filepath"
	"time"

	"github.com/ashiato/ashiato/collector/consent"
	"github.com/ashiato/ashiato/collector/ledger"
	"github.com/ashiato/ashiato/collector/spool"
)

// How often the revocation set reads the decisions that other instances
// recorded, and how often it is loaded whole (which also forgets subjects
// of a single decision that the incremental reads added).
const (
	revocationsEvery = 2 * time.Second
	revocationsFull  = time.Hour
)

// now is the collector's clock: time.Now unless a test set Main.Now.
func (m *Main) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// startGate opens the consent ledger's spool and builds the consent gate,
// loading its revocation set from the ledger and from the decisions still
// in the spool before the collector answers: a token superseded before a
// restart must not count after it, even when the decision that superseded
// it is not in ClickHouse yet. Main.Run starts its reload loop; the
// privacy stage adds the erased and stopped visitors.
func (m *Main) startGate(ctx context.Context) error {
	var err error
	if m.ledger, err = ledger.Open(consentSpool(m.Config.Spool), ledger.Config{
		Interval: m.Config.Writer.Interval, RetryMax: m.Config.Writer.RetryMax,
	}, m.store, m.Log, m.reg); err != nil {
		return err
	}
	sup := consent.NewSupersessions(m.store, m.Log)
	sup.InFlight = m.ledger.InFlight
	if err := sup.Load(ctx, time.Now()); err != nil {
		return err
	}
	m.gate = &consent.Gate{Supersessions: sup}
	return nil
}

// consentSpool is the configuration of the consent ledger's spool, from
// the hits' spool: a folder inside it, an eighth of its cap and small
// segments (a decision takes about 400 bytes).
func consentSpool(c spool.Config) spool.Config {
	c.Dir = filepath.Join(c.Dir, "consent")
	c.MaxBytes = max(c.MaxBytes/8, 64<<10)
	c.SegmentBytes = min(c.SegmentBytes, 1<<20)
	c.Committers = 1
	c.Metrics = "consent_spool"
	return c
}
