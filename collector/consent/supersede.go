package consent

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"iter"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// LatestDecision names a decision of a subject (a visitor ID of a site):
// its latest in the ledger where the reader says so.
type LatestDecision struct {
	Site      string
	VisitorID string
	ConsentID string
}

// LedgerReader reads what Supersessions needs from the consent ledger.
type LedgerReader interface {
	// SupersedingDecisions returns, for every subject with at least two
	// decisions not expired at now, its latest consent ID.
	SupersedingDecisions(ctx context.Context, now time.Time) ([]LatestDecision, error)
	// DecisionsSince returns the subject and consent ID of the decisions
	// recorded at or after since; a subject may come more than once (the
	// set keeps its latest).
	DecisionsSince(ctx context.Context, since time.Time) ([]LatestDecision, error)
	// RevokedSince returns the consent IDs of decisions without a visitor
	// ID that a later decision superseded at or after since, and whose
	// tokens have not expired at now.
	RevokedSince(ctx context.Context, since, now time.Time) ([]string, error)
}

// Overlap is how far before the previous read's start an incremental read
// begins again: it covers ledger rows of other instances whose clocks run
// behind or whose insert landed late. Rows read twice change nothing.
const Overlap = 30 * time.Second

// Supersessions is the revocation set: for each subject (site and visitor
// ID) that has more than one decision, the consent ID of its latest one.
// A token of an earlier decision of the subject (a withdrawal, a later
// narrower or wider choice replaced it) no longer counts. It is loaded
// from the ledger at start, read again incrementally (only decisions newer
// than the last read) so that every collector instance knows within
// seconds what another one recorded, and updated at once by the decisions
// recorded here (Note).
//
// Memory is fixed per subject: a 64-bit keyed hash of (site, visitor ID)
// and the 16 bytes of the latest consent ID (a version 7 UUID, whose byte
// order is its time order). A hash collision can only make a token count
// as superseded, never the reverse.
type Supersessions struct {
	Ledger LedgerReader
	Log    *slog.Logger
	// InFlight yields the entries recorded here but not in the ledger in
	// ClickHouse yet (package ledger); a full Load keeps them, however
	// long ClickHouse was away. nil: none.
	InFlight func() iter.Seq[Entry]

	seed      maphash.Seed
	mu        sync.RWMutex
	latest    map[uint64]uuid.UUID
	revoked   map[uuid.UUID]struct{} // superseded decisions that bound no visitor ID
	n         atomic.Int64           // len(latest) + len(revoked), read without the lock
	watermark time.Time              // start of the last read; guarded by reload
	reload    sync.Mutex             // one read at a time
}

// NewSupersessions returns an empty set that reads ledger.
func NewSupersessions(ledger LedgerReader, log *slog.Logger) *Supersessions {
	return &Supersessions{Ledger: ledger, Log: log, seed: maphash.MakeSeed(), latest: map[uint64]uuid.UUID{},
		revoked: map[uuid.UUID]struct{}{}}
}

// key is the subject's fixed-size key.
func (s *Supersessions) key(site, visitorID string) uint64 {
	var h maphash.Hash
	h.SetSeed(s.seed)
	h.WriteString(site)
	h.WriteByte(0)
	h.WriteString(visitorID)
	return h.Sum64()
}

// Superseded reports whether a later decision of the subject (site,
// visitorID) than consentID is known; for a decision that bound no visitor
// ID, whether a later decision revoked consentID itself. It is on the hot
// path: a map lookup under a read lock, nothing allocated. A nil set knows
// of none.
func (s *Supersessions) Superseded(site, visitorID, consentID string) bool {
	if s == nil || s.n.Load() == 0 {
		return false
	}
	id, err := uuid.Parse(consentID)
	if err != nil {
		return false // not one of ours: the signature check has refused it already
	}
	var k uint64
	if visitorID != "" {
		k = s.key(site, visitorID)
	}
	s.mu.RLock()
	// A decision is also revoked by its ID when it bound no visitor ID, or
	// when the decision that replaced it reached the ledger late (see
	// Entry.Late): the subject's rows then carry their decision's time,
	// before the incremental reads' window.
	_, revoked := s.revoked[id]
	latest, ok := s.latest[k]
	s.mu.RUnlock()
	return revoked || visitorID != "" && ok && bytes.Compare(latest[:], id[:]) > 0
}

// Revoke records that a later decision superseded consentID, a decision
// that bound no visitor ID: its token stops counting here at once.
func (s *Supersessions) Revoke(consentID string) {
	if s == nil {
		return
	}
	if id, err := uuid.Parse(consentID); err == nil {
		s.mu.Lock()
		s.revoked[id] = struct{}{}
		s.n.Store(int64(len(s.latest) + len(s.revoked)))
		s.mu.Unlock()
	}
}

// Note records a decision of a subject, as this instance records it in the
// ledger: earlier tokens of the subject stop counting here at once.
func (s *Supersessions) Note(site, visitorID, consentID string) {
	if s == nil || visitorID == "" {
		return
	}
	id, err := uuid.Parse(consentID)
	if err != nil {
		return
	}
	s.mu.Lock()
	s.put(s.latest, s.key(site, visitorID), id)
	s.n.Store(int64(len(s.latest) + len(s.revoked)))
	s.mu.Unlock()
}

// noteEntry adds what entry e supersedes to m and r.
func (s *Supersessions) noteEntry(m map[uint64]uuid.UUID, r map[uuid.UUID]struct{}, e Entry) {
	d := &e.Decision
	if id, err := uuid.Parse(d.ConsentID); err == nil && d.VisitorID != "" {
		s.put(m, s.key(d.SiteID, d.VisitorID), id)
	}
	if id, err := uuid.Parse(e.Revokes); err == nil {
		r[id] = struct{}{}
	}
}

// put keeps the later of id and what m holds for k.
func (s *Supersessions) put(m map[uint64]uuid.UUID, k uint64, id uuid.UUID) {
	if cur, ok := m[k]; !ok || bytes.Compare(id[:], cur[:]) > 0 {
		m[k] = id
	}
}

// Len returns the number of subjects known to have a latest decision and
// of revoked decisions without a visitor ID.
func (s *Supersessions) Len() int { return int(s.n.Load()) }

// Load replaces the set by what the ledger holds (subjects with two or
// more unexpired decisions), keeping what was noted or read since the load
// began: those entries' consent IDs are newer than its start. Run calls it
// now and then, which also drops the subjects of one decision that the
// incremental reads added.
func (s *Supersessions) Load(ctx context.Context, now time.Time) error {
	s.reload.Lock()
	defer s.reload.Unlock()
	start := now
	// The entries in flight are read before the ledger: one that lands in
	// between is then in one or the other. (And before s.mu is taken: the
	// ledger has its own lock.)
	var inFlight []Entry
	if s.InFlight != nil {
		for e := range s.InFlight() {
			inFlight = append(inFlight, e)
		}
	}
	rows, err := s.Ledger.SupersedingDecisions(ctx, now)
	if err != nil {
		return fmt.Errorf("load superseded consents: %w", err)
	}
	ids, err := s.Ledger.RevokedSince(ctx, time.Time{}, now)
	if err != nil {
		return fmt.Errorf("load revoked consents: %w", err)
	}
	m := make(map[uint64]uuid.UUID, len(rows))
	s.fill(m, rows)
	r := make(map[uuid.UUID]struct{}, len(ids))
	fillRevoked(r, ids)
	keepFrom := start.Add(-Overlap).UnixMilli()
	s.mu.Lock()
	for k, id := range s.latest {
		if v7Millis(id) >= keepFrom {
			s.put(m, k, id)
		}
	}
	for id := range s.revoked {
		r[id] = struct{}{} // revoked here since the load began; expired ones go at the next
	}
	for _, e := range inFlight {
		s.noteEntry(m, r, e)
	}
	s.latest, s.revoked = m, r
	s.n.Store(int64(len(m) + len(r)))
	s.mu.Unlock()
	s.watermark = start
	return nil
}

// Update reads the decisions recorded since the last read (with Overlap)
// and merges them in.
func (s *Supersessions) Update(ctx context.Context, now time.Time) error {
	s.reload.Lock()
	defer s.reload.Unlock()
	rows, err := s.Ledger.DecisionsSince(ctx, s.watermark.Add(-Overlap))
	if err != nil {
		return fmt.Errorf("read new consent decisions: %w", err)
	}
	ids, err := s.Ledger.RevokedSince(ctx, s.watermark.Add(-Overlap), now)
	if err != nil {
		return fmt.Errorf("read new consent revocations: %w", err)
	}
	s.merge(rows, ids)
	s.watermark = now
	return nil
}

// mergeChunk is how many rows an update merges per hold of the lock.
const mergeChunk = 512

// merge adds rows and the revoked ids to the set. An update reads every
// decision of the last Overlap again (at 3,400 decisions/s, 100,000 rows
// every 2 s), and the decisions being recorded (Note) and the hits being
// checked (Superseded) wait for the lock: so rows are parsed outside it and
// merged mergeChunk at a time, each a short hold. Merging keeps the later
// decision, so the order of the chunks does not matter.
func (s *Supersessions) merge(rows []LatestDecision, ids []string) {
	var chunk [mergeChunk]struct {
		k  uint64
		id uuid.UUID
	}
	for len(rows) > 0 {
		n := 0
		for len(rows) > 0 && n < len(chunk) {
			k, id, ok := s.parse(rows[0])
			rows = rows[1:]
			if ok {
				chunk[n].k, chunk[n].id = k, id
				n++
			}
		}
		s.mu.Lock()
		for _, p := range chunk[:n] {
			s.put(s.latest, p.k, p.id)
		}
		s.n.Store(int64(len(s.latest) + len(s.revoked)))
		s.mu.Unlock()
	}
	if len(ids) > 0 {
		s.mu.Lock()
		fillRevoked(s.revoked, ids)
		s.n.Store(int64(len(s.latest) + len(s.revoked)))
		s.mu.Unlock()
	}
}

// fill merges rows into m.
func (s *Supersessions) fill(m map[uint64]uuid.UUID, rows []LatestDecision) {
	for _, r := range rows {
		if k, id, ok := s.parse(r); ok {
			s.put(m, k, id)
		}
	}
}

// parse returns the key and consent ID of a row; ok is false for a row
// without a visitor ID or with a malformed consent ID.
func (s *Supersessions) parse(r LatestDecision) (k uint64, id uuid.UUID, ok bool) {
	id, err := uuid.Parse(r.ConsentID)
	if err != nil || r.VisitorID == "" {
		return 0, id, false
	}
	return s.key(r.Site, r.VisitorID), id, true
}

// fillRevoked adds the consent IDs ids to r.
func fillRevoked(r map[uuid.UUID]struct{}, ids []string) {
	for _, c := range ids {
		if id, err := uuid.Parse(c); err == nil {
			r[id] = struct{}{}
		}
	}
}

// Run reads new decisions every period and reloads the whole set every
// full period, until ctx ends; failures are logged and retried.
func (s *Supersessions) Run(ctx context.Context, period, full time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	lastFull := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rctx, cancel := context.WithTimeout(ctx, max(period, 10*time.Second))
		var err error
		if now := time.Now(); now.Sub(lastFull) >= full {
			if err = s.Load(rctx, now); err == nil {
				lastFull = now
			}
		} else {
			err = s.Update(rctx, now)
		}
		cancel()
		if err != nil && ctx.Err() == nil {
			s.Log.Warn("reload consent revocations", "err", err)
		}
	}
}

// v7Millis returns the Unix milliseconds a version 7 UUID carries.
func v7Millis(id uuid.UUID) int64 {
	var b [8]byte
	copy(b[2:], id[:6])
	return int64(binary.BigEndian.Uint64(b[:]))
}
