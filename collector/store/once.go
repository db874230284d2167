package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
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
// the collector looks the IDs up itself; on current servers the insert also
// carries an insert_deduplication_token. It returns how many rows it wrote.
func (s *Store) InsertEventsOnce(ctx context.Context, evs []collector.Event) (int, error) {
	if len(evs) == 0 {
		return 0, nil
	}
	have, err := s.existingIDs(ctx, evs)
	if err != nil {
		return 0, err
	}
	// Keep, in place, the first event of each ID that is not stored yet.
	fresh := evs[:0]
	for i := range evs {
		id := evs[i].EventID
		if have[id] {
			continue
		}
		have[id] = true // later copies in this batch are duplicates
		fresh = append(fresh, evs[i])
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

// existingIDs returns which event IDs of evs are already stored.
func (s *Store) existingIDs(ctx context.Context, evs []collector.Event) (map[[16]byte]bool, error) {
	have := make(map[[16]byte]bool, len(evs))
	sites := map[string]bool{}
	minTS, maxTS := evs[0].TS, evs[0].TS
	for i := range evs {
		sites[evs[i].SiteID] = true
		if evs[i].TS.Before(minTS) {
			minTS = evs[i].TS
		}
		if evs[i].TS.After(maxTS) {
			maxTS = evs[i].TS
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
		for i := start; i < end; i++ {
			ids = append(ids, uuid.UUID(evs[i].EventID).String())
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
