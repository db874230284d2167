package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/google/uuid"

	"github.com/ashiato/ashiato/collector"
)

// retryWindow is how far back a retried event's first copy may lie: the
// SDK keeps its retry queue for 24 hours.
const retryWindow = 25 * time.Hour

// lookupChunk bounds the IDs of one existence query (max_query_size is
// 256 KiB by default; a quoted UUID takes 40 bytes).
const lookupChunk = 4000

// InsertEventsOnce writes the events of evs that are not in ClickHouse yet,
// so that a batch whose earlier insert had an unknown outcome (timeout,
// crash, cut connection), or an event a client retried with the same eid,
// is never stored twice. ClickHouse 18.16 cannot deduplicate inserts, so
// the collector looks IDs up itself — only those that can repeat one
// already stored: events marked MaybeStored (client retries, spool records
// handed out before) and IDs this process has stored lately (recentIDs),
// which also catches repeats inside evs, after any insert still running on
// the server has ended (awaitInserts). An event seen for the first time
// costs no lookup. On current servers the insert also carries an
// insert_deduplication_token. It returns how many rows it wrote.
func (s *Store) InsertEventsOnce(ctx context.Context, evs []collector.Event) (int, error) {
	if len(evs) == 0 {
		return 0, nil
	}
	check := s.recent.suspects(evs)
	fresh := evs
	if len(check) > 0 {
		if err := s.awaitInserts(ctx, s.insertEventsSQL()); err != nil {
			return 0, err
		}
		have, err := s.existingIDs(ctx, check)
		if err != nil {
			return 0, err
		}
		s.lookedUp.Add(int64(len(check)))
		// Of the IDs that may repeat, keep (in place) the first event of
		// each that is not stored yet.
		suspect := make(map[[16]byte]bool, len(check))
		for _, e := range check {
			suspect[e.EventID] = true
		}
		fresh = evs[:0]
		for i := range evs {
			if id := evs[i].EventID; suspect[id] {
				if have[id] {
					continue
				}
				have[id] = true // later copies in this batch are duplicates
			}
			fresh = append(fresh, evs[i])
		}
	}
	if len(fresh) == 0 {
		return 0, nil
	}
	if s.Dialect.DedupToken {
		ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{
			"insert_deduplication_token": dedupToken(fresh),
		}))
	}
	if err := s.InsertEvents(ctx, fresh); err != nil {
		return 0, err
	}
	return len(fresh), nil
}

// awaitInserts returns once no insert of statement stmt (up to its column
// list: into that table) is running on the server. An insert whose client stopped waiting (a timeout, a crash,
// a restart) may still be writing its rows; IDs looked up before it ends
// would be missing and stored twice. The server cannot tell whose insert
// it runs, so a collector that shares the table with others also waits
// for theirs: rarely long, as this runs only for events that may repeat.
func (s *Store) awaitInserts(ctx context.Context, stmt string) error {
	for {
		n, err := s.runningInserts(ctx, stmt)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("an earlier insert is still running: %w", ctx.Err())
		case <-time.After(awaitInsertsPoll):
		}
	}
}

// runningInserts counts the inserts of stmt that the server is running,
// from any client: the queries that start as stmt does up to its column
// list.
func (s *Store) runningInserts(ctx context.Context, stmt string) (uint64, error) {
	table, _, _ := strings.Cut(stmt, "(")
	var n uint64
	err := s.Conn.QueryRow(ctx, "SELECT count() FROM system.processes WHERE position(query, ?) = 1", table).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("look for running inserts: %w", err)
	}
	return n, nil
}

// awaitInsertsPoll is how often awaitInserts asks the server.
const awaitInsertsPoll = 50 * time.Millisecond

// LookedUp returns how many event IDs InsertEventsOnce has looked up in
// ClickHouse since the store was opened.
func (s *Store) LookedUp() int64 { return s.lookedUp.Load() }

// existingIDs returns which event IDs of evs are already stored.
func (s *Store) existingIDs(ctx context.Context, evs []*collector.Event) (map[[16]byte]bool, error) {
	have := make(map[[16]byte]bool, len(evs))
	sites := map[string]bool{}
	minTS, maxTS := evs[0].TS, evs[0].TS
	for _, e := range evs {
		sites[e.SiteID] = true
		if e.TS.Before(minTS) {
			minTS = e.TS
		}
		if e.TS.After(maxTS) {
			maxTS = e.TS
		}
	}
	siteList := make([]string, 0, len(sites))
	for s := range sites {
		siteList = append(siteList, s)
	}
	q := "SELECT event_id FROM " + s.Dialect.DB + ".events WHERE site_id IN ? AND toDate(ts) >= toDate(toDateTime(?)) AND toDate(ts) <= toDate(toDateTime(?)) AND event_id IN ?"
	for start := 0; start < len(evs); start += lookupChunk {
		end := min(start+lookupChunk, len(evs))
		ids := make([]string, 0, end-start)
		for _, e := range evs[start:end] {
			ids = append(ids, uuid.UUID(e.EventID).String())
		}
		// A client retries for up to 24 hours, and the retried hit is stamped
		// when it arrives: its first copy may be stored on the day before.
		rows, err := s.Conn.Query(ctx, q, set(siteList), minTS.Add(-retryWindow).Unix(), maxTS.Unix(), set(ids))
		if err != nil {
			return nil, fmt.Errorf("look up stored event IDs: %w", err)
		}
		for rows.Next() {
			var id uuid.UUID
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan event ID: %w", err)
			}
			have[id] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("look up stored event IDs: %w", err)
		}
	}
	return have, nil
}

// dedupToken is a stable token for the set of event IDs of a batch.
func dedupToken(evs []collector.Event) string {
	ids := make([][16]byte, len(evs))
	for i := range evs {
		ids[i] = evs[i].EventID
	}
	sort.Slice(ids, func(i, j int) bool { return bytes.Compare(ids[i][:], ids[j][:]) < 0 })
	h := sha256.New()
	for _, id := range ids {
		h.Write(id[:])
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
