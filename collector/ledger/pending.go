package ledger

import (
	"sync"

	"github.com/ashiato/ashiato/collector/consent"
)

// pending holds the entries that are in the consent spool and not yet
// confirmed in ClickHouse: what a reader of the ledger would miss there
// (the visitor's own consent history), by consent ID and by subject.
type pending struct {
	mu        sync.RWMutex
	byID      map[string]consent.Entry
	bySubject map[subject][]string
}

type subject struct{ site, visitor string }

func newPending() *pending {
	return &pending{byID: map[string]consent.Entry{}, bySubject: map[subject][]string{}}
}

func (p *pending) add(e consent.Entry) {
	d := &e.Decision
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.byID[d.ConsentID]; ok {
		return
	}
	p.byID[d.ConsentID] = e
	if d.VisitorID != "" {
		k := subject{d.SiteID, d.VisitorID}
		p.bySubject[k] = append(p.bySubject[k], d.ConsentID)
	}
}

func (p *pending) remove(consentID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.byID[consentID]
	if !ok {
		return
	}
	delete(p.byID, consentID)
	d := &e.Decision
	if d.VisitorID == "" {
		return
	}
	k := subject{d.SiteID, d.VisitorID}
	ids := p.bySubject[k]
	for i, id := range ids {
		if id == consentID {
			ids = append(ids[:i], ids[i+1:]...)
			break
		}
	}
	if len(ids) == 0 {
		delete(p.bySubject, k)
	} else {
		p.bySubject[k] = ids
	}
}

// ofSubject returns the decisions in flight of a visitor of site, oldest
// first.
func (p *pending) ofSubject(site, visitorID string) []consent.Decision {
	p.mu.RLock()
	defer p.mu.RUnlock()
	ids := p.bySubject[subject{site, visitorID}]
	out := make([]consent.Decision, 0, len(ids))
	for _, id := range ids {
		out = append(out, p.byID[id].Decision)
	}
	return out
}

// each calls fn for every entry in flight.
func (p *pending) each(fn func(consent.Entry) bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	for _, e := range p.byID {
		if !fn(e) {
			return
		}
	}
}

func (p *pending) len() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.byID)
}
