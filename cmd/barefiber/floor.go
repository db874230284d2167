package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/batch"
	"github.com/ashiato/ashiato/collector/ingest"
	"github.com/ashiato/ashiato/collector/spool"
	"github.com/ashiato/ashiato/collector/store"
)

// floor is the durable floor of `make bench`: the least a collector that
// keeps the spool's promise does per hit on this machine. Each request's
// answer waits until the collector's sink has put a record durably in its
// spool (the same group commit, `spool.Config` defaults); its writer reads the
// records back, inserts one events row per record into ClickHouse and
// confirms them. What the floor leaves out is the ingest stage: decoding and
// validating the hit, the consent gate, enrichment. The record it spools is
// a fixed, realistic event with the request's own event ID and time.
type floor struct {
	spool  *spool.Spool
	sink   batch.SpoolSink // the collector's: encodes and appends durably
	store  *store.Store
	cancel context.CancelFunc
	done   chan struct{}
	// discarded counts the records read back without ClickHouse.
	discarded atomic.Int64
}

// openFloor opens the spool in dir and, with a DSN, the store and the
// writer that drains the spool into it. Without a DSN records are confirmed
// as they are read, so that the spool stays small.
func openFloor(dir, dsn string) (*floor, error) {
	sp, err := spool.Open(spool.Config{Dir: dir, MaxBytes: 4 << 30}, nil, nil)
	if err != nil {
		return nil, err
	}
	f := &floor{spool: sp, sink: batch.SpoolSink{Spool: sp}, done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	var st batch.Store = discard{&f.discarded}
	if dsn != "" {
		if f.store, err = store.Open(ctx, store.Config{DSN: dsn}, false); err != nil {
			cancel()
			return nil, errors.Join(err, sp.Close())
		}
		st = f.store
	}
	w := batch.New(batch.Config{}, sp, st, nil, slog.New(slog.DiscardHandler), nil)
	go func() {
		defer close(f.done)
		w.Run(ctx)
	}()
	return f, nil
}

// handle answers 204 once the hit's record is on disk through the
// collector's sink, and refuses as the collector does (503 with
// Retry-After) when the spool cannot take it.
func (f *floor) handle(c *fiber.Ctx) error {
	now := time.Now().UTC()
	evs := [1]collector.Event{floorEvent}
	evs[0].EventID = uuid.New() // as the collector's for a hit without eid
	evs[0].TS, evs[0].ReceivedAt = now, now
	if err := f.sink.Submit(c.Context(), evs[:]); err != nil {
		return ingest.WriteError(c, err)
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// close stops the writer (records not yet confirmed stay in the spool) and
// closes the spool and the store.
func (f *floor) close() error {
	f.cancel()
	<-f.done
	err := f.spool.Close()
	if f.store != nil {
		err = errors.Join(err, f.store.Close())
	}
	if err != nil {
		return fmt.Errorf("durable floor: %w", err)
	}
	return nil
}

// discard stores nothing, and counts: the floor without ClickHouse.
type discard struct{ n *atomic.Int64 }

func (d discard) InsertEventsOnce(_ context.Context, evs []collector.Event) (int, error) {
	d.n.Add(int64(len(evs)))
	return len(evs), nil
}

// floorEvent is the row the floor stores for every hit: a pageview as the
// bench's requests make it (deploy/bench/event.lua), enriched.
var floorEvent = collector.Event{
	SiteID: "demo", Type: collector.TypePageview,
	URLHost: "localhost", URLPath: "/products/123",
	URLQuery: "utm_source=news&utm_medium=email&utm_campaign=spring",
	Title:    "商品一覧 | デモショップ",
	Referrer: "www.google.com/", RefHost: "www.google.com", RefSource: "search", RefName: "Google",
	UTMSource: "news", UTMMedium: "email", UTMCampaign: "spring",
	Screen: "1920x1080", Lang: "ja",
	Browser: "Chrome", BrowserVersion: "120.0.0", OS: "Windows", OSVersion: "10", DeviceType: "desktop",
	VisitorHash: 0x9e3779b97f4a7c15,
	PropKeys:    []string{"ab", "logged_in", "plan"}, PropValues: []string{"a", "false", "pro"},
}
