package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/batch"
	"github.com/ashiato/ashiato/collector/spool"
	"github.com/ashiato/ashiato/collector/store"
)

// floor is the durable floor of `make bench`: the least a collector that
// keeps the spool's promise does per hit on this machine. Each request's
// answer waits until a record is durably in the collector's spool (the same
// group commit, `spool.Config` defaults); the collector's writer reads the
// records back, inserts one events row per record into ClickHouse and
// confirms them. What the floor leaves out is the ingest stage: decoding and
// validating the hit, the consent gate, enrichment. The record it spools is
// a fixed, realistic event with the request's own event ID and time.
type floor struct {
	spool  *spool.Spool
	store  *store.Store
	cancel context.CancelFunc
	done   chan struct{}
	bufs   sync.Pool // *[]byte, one encoded record
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
	f := &floor{spool: sp, done: make(chan struct{})}
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

// handle answers 204 once the hit's record is on disk, 503 when the spool
// refuses it.
func (f *floor) handle(c *fiber.Ctx) error {
	now := time.Now().UTC()
	ev := floorEvent
	if _, err := rand.Read(ev.EventID[:]); err != nil {
		return err
	}
	ev.TS, ev.ReceivedAt = now, now
	b, _ := f.bufs.Get().(*[]byte)
	if b == nil {
		b = new([]byte)
	}
	*b = spool.AppendEvent((*b)[:0], &ev)
	err := f.spool.Append(c.Context(), *b)
	f.bufs.Put(b)
	if err != nil {
		c.Set(fiber.HeaderRetryAfter, "1")
		return c.SendStatus(fiber.StatusServiceUnavailable)
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
