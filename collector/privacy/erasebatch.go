package privacy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ashiato/ashiato/collector/store"
)

// eraseBatch is the state of a Service's erasure batches. Erasures are
// suppressed at once and queued (erasure_queue); a batch deletes the rows
// of every queued subject together, one statement per table, so a flood of
// erasures costs a bounded number of mutations: at most three rounds of one
// per table per batch, and one batch per interval (RunErasures).
type eraseBatch struct {
	mu      sync.Mutex // one batch at a time
	looping atomic.Bool
	wmu     sync.Mutex
	waiters map[string]chan erasureResult
}

type erasureResult struct {
	rec store.Receipt
	err error
}

// errNotErased answers a waiter whose erasure a batch did not finish.
var errNotErased = errors.New("the erasure is queued and not finished yet")

// RunErasures runs an erasure batch for what is queued (also by other
// instances or the CLI, and before a restart) every interval until ctx
// ends.
func (s *Service) RunErasures(ctx context.Context, every time.Duration) {
	s.eb.looping.Store(true)
	defer s.eb.looping.Store(false)
	for {
		if err := s.runErasures(ctx); err != nil && ctx.Err() == nil {
			s.Log.Error("erasure batch", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// awaitErasure returns the receipt of request id once a batch has finished
// it; where no batch loop runs (the CLI) it runs the batch itself.
func (s *Service) awaitErasure(ctx context.Context, id string) (store.Receipt, error) {
	ch := make(chan erasureResult, 1)
	s.eb.wmu.Lock()
	if s.eb.waiters == nil {
		s.eb.waiters = map[string]chan erasureResult{}
	}
	s.eb.waiters[id] = ch
	s.eb.wmu.Unlock()
	defer func() {
		s.eb.wmu.Lock()
		delete(s.eb.waiters, id)
		s.eb.wmu.Unlock()
	}()
	if !s.eb.looping.Load() {
		if err := s.runErasures(ctx); err != nil {
			return store.Receipt{}, err
		}
		select {
		case r := <-ch:
			return r.rec, r.err
		default:
			return store.Receipt{}, errNotErased
		}
	}
	select {
	case r := <-ch:
		return r.rec, r.err
	case <-ctx.Done():
		return store.Receipt{}, fmt.Errorf("wait for erasure %s: %w", id, ctx.Err())
	}
}

// deliver hands a batch's result to the waiter of request id, if any.
func (s *Service) deliver(id string, r erasureResult) {
	s.eb.wmu.Lock()
	ch := s.eb.waiters[id]
	s.eb.wmu.Unlock()
	if ch != nil {
		select {
		case ch <- r:
		default:
		}
	}
}

// runErasures runs one batch over every queued erasure: it waits Settle
// (so that batches already past the suppression check land first), then
// deletes, verifies, writes the receipts and dequeues.
func (s *Service) runErasures(ctx context.Context) error {
	s.eb.mu.Lock()
	defer s.eb.mu.Unlock()
	queued, err := s.Store.QueuedErasures(ctx)
	if err != nil || len(queued) == 0 {
		return err
	}
	if s.Settle > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(s.Settle):
		}
	}
	results, err := s.eraseAll(ctx, queued)
	if s.AfterErasure != nil { // rows may be gone, even after an error
		s.AfterErasure()
	}
	for _, q := range queued {
		r, ok := results[q.RequestID]
		if !ok {
			r = erasureResult{err: err}
			if err == nil {
				r.err = errNotErased
			}
		}
		s.deliver(q.RequestID, r)
	}
	return err
}

// eraseAll erases the queued subjects together: at most three rounds, each
// one statement per table for the subjects with rows left.
func (s *Service) eraseAll(ctx context.Context, queued []store.QueuedErasure) (map[string]erasureResult, error) {
	recs := make([]store.Receipt, len(queued))
	for i, q := range queued {
		sub := q.Subject
		rows, _, err := s.Count(ctx, sub)
		if err != nil {
			return nil, err
		}
		if rows["privacy_subjects"], err = s.Store.CountSubjectKeys(ctx, sub.Site, s.keyHashes(sub)); err != nil {
			return nil, err
		}
		recs[i] = store.Receipt{RequestID: q.RequestID, SiteID: sub.Site, Kind: sub.Kind, KeyHash: s.SubjectHash(sub),
			RequestedBy: q.RequestedBy, RequestedAt: q.RequestedAt, Rows: rows}
	}
	pending := make([]int, len(queued))
	for i := range pending {
		pending[i] = i
	}
	// Each round deletes the rows, recounts them through the indexes (still
	// whole: a straggler's index row shows it), and only then deletes the
	// index rows of the subjects found clean, and checks those are gone.
	for round := 0; round < 3 && len(pending) > 0; round++ {
		if err := s.deleteSubjects(ctx, subjectsOf(queued, pending), dataTables); err != nil {
			return nil, err
		}
		var clean, left []int
		for _, i := range pending {
			n, err := s.remaining(ctx, queued[i].Subject, s.keyHashes(queued[i].Subject))
			if err != nil {
				return nil, err
			}
			if n == 0 {
				clean = append(clean, i)
			} else {
				left = append(left, i)
			}
		}
		if err := s.deleteSubjects(ctx, subjectsOf(queued, clean), indexTables); err != nil {
			return nil, err
		}
		for _, i := range clean {
			n, err := s.indexed(ctx, queued[i].Subject)
			if err != nil {
				return nil, err
			}
			if recs[i].Verified = n == 0; !recs[i].Verified {
				left = append(left, i)
			}
		}
		pending = left
	}
	results := map[string]erasureResult{}
	var done []string
	for i := range recs {
		recs[i].FinishedAt = s.now()
		if err := s.Store.SaveReceipt(ctx, recs[i]); err != nil {
			return results, err
		}
		r := erasureResult{rec: recs[i]}
		if !recs[i].Verified {
			r.err = fmt.Errorf("erasure %s: rows of the subject remain after 3 rounds", recs[i].RequestID)
		}
		results[recs[i].RequestID] = r
		done = append(done, recs[i].RequestID)
	}
	// The queued rows hold the subjects' keys: they go last.
	if err := s.Store.DequeueErasures(ctx, done); err != nil {
		return results, err
	}
	return results, s.Store.WaitMutations(ctx, "erasure_queue")
}

// The tables an erasure deletes from (the ledger: pseudonymises), in two
// steps: the data — every table that holds a subject's rows and those
// derived from them, as the store lists them — then, once it is verified
// gone, its indexes.
var (
	dataTables  = append(slices.Clone(store.SubjectTables), store.DerivedTables...)
	indexTables = []string{"event_subjects", "consent_subjects"}
)

func subjectsOf(queued []store.QueuedErasure, idx []int) []store.Subject {
	out := make([]store.Subject, len(idx))
	for j, i := range idx {
		out[j] = queued[i].Subject
	}
	return out
}

// indexed counts the index rows of sub.
func (s *Service) indexed(ctx context.Context, sub store.Subject) (uint64, error) {
	var total uint64
	for _, t := range indexTables {
		n, err := s.Store.CountSubjectRows(ctx, t, sub)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// deleteSubjects deletes the rows of subs from tables, one statement per
// table for the subjects that have rows there (counted before any
// statement), and waits for them.
func (s *Service) deleteSubjects(ctx context.Context, subs []store.Subject, tables []string) error {
	if len(subs) == 0 {
		return nil
	}
	var hashes []string
	monthSet := map[uint32]bool{}
	for _, sub := range subs {
		hashes = append(hashes, s.keyHashes(sub)...)
		ms, err := s.Store.SubjectMonths(ctx, sub)
		if err != nil {
			return err
		}
		for _, m := range ms {
			monthSet[m] = true
		}
	}
	var months []uint32
	for m := range monthSet {
		months = append(months, m)
	}
	withRows := map[string][]store.Subject{}
	for _, t := range tables {
		for _, sub := range subs {
			n, err := s.Store.CountSubjectRows(ctx, t, sub)
			if err != nil {
				return err
			}
			if n > 0 {
				withRows[t] = append(withRows[t], sub)
			}
		}
	}
	var touched []string
	for _, t := range tables {
		with := withRows[t]
		if len(with) == 0 {
			continue
		}
		var err error
		switch t {
		case "consent_log":
			err = s.Store.PseudonymiseLedgers(ctx, with, s.Keys.Pseudonym)
		case "events", "event_subjects": // months of the subjects' events
			err = s.Store.DeleteSubjectsRows(ctx, t, with, months)
		default:
			err = s.Store.DeleteSubjectsRows(ctx, t, with, nil)
		}
		if err != nil {
			return err
		}
		touched = append(touched, t)
	}
	if err := s.Store.ForgetKeys(ctx, hashes); err != nil {
		return fmt.Errorf("forget subject keys: %w", err)
	}
	for _, t := range append(touched, "privacy_subjects") {
		if err := s.Store.WaitMutations(ctx, t); err != nil {
			return err
		}
	}
	return nil
}
