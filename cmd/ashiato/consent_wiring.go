package main

import (
	"context"
	"time"

	"github.com/ashiato/ashiato/collector/consent"
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

// startGate builds the consent gate and loads its revocation set from the
// ledger before the collector answers: a token superseded before a restart
// must not count after it. Main.Run starts its reload loop; the privacy
// stage adds the erased and stopped visitors.
func (m *Main) startGate(ctx context.Context) error {
	sup := consent.NewSupersessions(m.store, m.Log)
	if err := sup.Load(ctx, time.Now()); err != nil {
		return err
	}
	m.gate = &consent.Gate{Supersessions: sup}
	return nil
}
