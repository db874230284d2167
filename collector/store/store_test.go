package store_test

import (
	"context"
	"io"
	"log/slog"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/consent"
	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/collector/store/chtest"
	"github.com/ashiato/ashiato/queries"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func count(t testing.TB, st *store.Store, where string) uint64 {
	t.Helper()
	var n uint64
	if err := st.Conn.QueryRow(context.Background(), "SELECT count() FROM "+st.Dialect.DB+".events WHERE "+where).Scan(&n); err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

func TestMigrateIsIdempotent(t *testing.T) {
	st := chtest.New(t)
	applied, err := st.Migrate(context.Background(), quiet)
	if err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if len(applied) != 0 {
		t.Fatalf("second migrate applied %v, want nothing", applied)
	}
	var n uint64
	if err := st.Conn.QueryRow(context.Background(), "SELECT count() FROM "+st.Dialect.DB+".schema_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := len(queries.Migrations()); int(n) != want {
		t.Fatalf("schema_migrations has %d rows, want %d", n, want)
	}
	for _, table := range []string{"events", "consent_log", "consent_texts", "identities", "salts"} {
		var exists uint8
		if err := st.Conn.QueryRow(context.Background(), "EXISTS TABLE "+st.Dialect.DB+"."+table).Scan(&exists); err != nil || exists != 1 {
			t.Errorf("table %s missing after migrate (err %v)", table, err)
		}
	}
}

func sampleEvent(site string) collector.Event {
	now := time.Now().UTC().Truncate(time.Second)
	return collector.Event{
		EventID: uuid.New(), SiteID: site, TS: now, ReceivedAt: now, Type: "pageview",
		URLHost: "example.com", URLPath: "/a", Browser: "Firefox", DeviceType: "desktop",
		Purposes: []string{"necessary"}, PropKeys: []string{"plan"}, PropValues: []string{"pro"},
		VisitorHash: 42,
	}
}

func TestInsertEventsRoundTrip(t *testing.T) {
	st := chtest.New(t)
	ev := sampleEvent("s1")
	ev.IsBot, ev.BotReason, ev.EngagedMS, ev.ScrollDepth = true, "crawler", 1500, 80
	if err := st.InsertEvents(context.Background(), []collector.Event{ev}); err != nil {
		t.Fatal(err)
	}
	var (
		id                  uuid.UUID
		path, browser, plan string
		bot, scroll         uint8
		engaged             uint32
		hash                uint64
	)
	err := st.Conn.QueryRow(context.Background(), "SELECT event_id, url_path, browser, prop_values[indexOf(prop_keys, 'plan')], is_bot, scroll_depth, engaged_ms, visitor_hash FROM "+st.Dialect.DB+".events").
		Scan(&id, &path, &browser, &plan, &bot, &scroll, &engaged, &hash)
	if err != nil {
		t.Fatal(err)
	}
	if id != uuid.UUID(ev.EventID) || path != "/a" || browser != "Firefox" || plan != "pro" || bot != 1 || scroll != 80 || engaged != 1500 || hash != 42 {
		t.Fatalf("read back %v %q %q %q bot=%d scroll=%d engaged=%d hash=%d", id, path, browser, plan, bot, scroll, engaged, hash)
	}
}

func TestInsertEventsOnceSkipsStoredAndRepeatedIDs(t *testing.T) {
	st := chtest.New(t)
	ctx := context.Background()
	evs := []collector.Event{sampleEvent("s1"), sampleEvent("s1"), sampleEvent("s2")}
	n, err := st.InsertEventsOnce(ctx, evs)
	if err != nil || n != 3 {
		t.Fatalf("first insert: n=%d err=%v", n, err)
	}
	// The same batch again (an insert whose outcome was unknown), plus a new
	// event and a duplicate inside the batch (a client retry with one eid).
	extra := sampleEvent("s1")
	again := append(append([]collector.Event{}, evs...), extra, extra)
	n, err = st.InsertEventsOnce(ctx, again)
	if err != nil || n != 1 {
		t.Fatalf("second insert: n=%d err=%v, want 1 new row", n, err)
	}
	if got := count(t, st, "1"); got != 4 {
		t.Fatalf("count() = %d, want 4", got)
	}
	var uniq uint64
	st.Conn.QueryRow(ctx, "SELECT uniqExact(event_id) FROM "+st.Dialect.DB+".events").Scan(&uniq)
	if uniq != 4 {
		t.Fatalf("uniqExact(event_id) = %d, want 4", uniq)
	}
}

func TestSaltsSharedByInstances(t *testing.T) {
	st := chtest.New(t)
	ctx := context.Background()
	a, b := consent.NewSalter(st, quiet), consent.NewSalter(st, quiet)
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	ha, hb := a.Hash("demo", netip.MustParseAddr("203.0.113.9"), "UA"), b.Hash("demo", netip.MustParseAddr("203.0.113.77"), "UA")
	if ha == 0 || ha != hb {
		t.Fatalf("two instances hash the same visitor (same /24) differently: %d vs %d", ha, hb)
	}
	if other := a.Hash("demo", netip.MustParseAddr("198.51.100.1"), "UA"); other == ha {
		t.Fatal("different networks hash alike")
	}
	// Today's and tomorrow's salt exist; an old one is destroyed on refresh.
	old := consent.Salt{Day: consent.Day(time.Now()).AddDate(0, 0, -3), Created: time.Now().UTC().Truncate(time.Second)}
	if err := st.AddSalt(ctx, old); err != nil {
		t.Fatal(err)
	}
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		got, err := st.Salts(ctx, []time.Time{old.Day})
		return err == nil && len(got[old.Day]) == 0
	})
	got, err := st.Salts(ctx, []time.Time{consent.Day(time.Now()), consent.Day(time.Now()).AddDate(0, 0, 1)})
	if err != nil || len(got) != 2 {
		t.Fatalf("salts of today and tomorrow: %v (err %v)", got, err)
	}
}

// waitFor polls cond (mutations are asynchronous) for up to 20 s.
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 20s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestParseDSN(t *testing.T) {
	for _, tc := range []struct {
		dsn, db string
		ok      bool
	}{
		{"clickhouse://127.0.0.1:9000/ashiato", "ashiato", true},
		{"clickhouse://u:p@h:9000/analytics_1", "analytics_1", true},
		{"clickhouse://127.0.0.1:9000", "ashiato", true},
		{"clickhouse://127.0.0.1:9000/bad-name", "", false},
		{"not a dsn", "", false},
	} {
		t.Run(tc.dsn, func(t *testing.T) {
			_, db, err := store.ParseDSN(tc.dsn)
			if (err == nil) != tc.ok || db != tc.db {
				t.Fatalf("ParseDSN(%q) = %q, %v; want %q ok=%v", tc.dsn, db, err, tc.db, tc.ok)
			}
		})
	}
}

// TestInsertEventsOnceCollapsesRetryFromYesterday: a client retry arrives
// after midnight, stamped with its arrival time; its first copy was stored
// the day before. It must not be stored twice.
func TestInsertEventsOnceCollapsesRetryFromYesterday(t *testing.T) {
	dsn, _ := chtest.DSN(t)
	st, other := chtest.Open(t, dsn), chtest.Open(t, dsn)
	ctx := context.Background()
	first := sampleEvent("s1")
	first.TS = time.Date(2026, 11, 26, 23, 59, 30, 0, time.UTC)
	if n, err := st.InsertEventsOnce(ctx, []collector.Event{first}); err != nil || n != 1 {
		t.Fatalf("first copy: %d %v", n, err)
	}
	// The retry reaches another instance (or this one after a restart),
	// marked as a retry as the SDK does.
	retry := first
	retry.TS = time.Date(2026, 11, 27, 0, 10, 0, 0, time.UTC)
	retry.MaybeStored = true
	if n, err := other.InsertEventsOnce(ctx, []collector.Event{retry}); err != nil || n != 0 {
		t.Fatalf("retry after midnight: wrote %d rows (err %v), want 0", n, err)
	}
	if got := count(t, st, "1"); got != 1 {
		t.Fatalf("count() = %d, want 1", got)
	}
}

// TestInsertEventsOnceLooksUpOnlyPossibleRepeats: events seen for the first
// time cost no lookup; marked retries and IDs repeated within this process
// are looked up and collapsed, also by another instance that never saw them.
func TestInsertEventsOnceLooksUpOnlyPossibleRepeats(t *testing.T) {
	dsn, _ := chtest.DSN(t)
	st, other := chtest.Open(t, dsn), chtest.Open(t, dsn)
	ctx := context.Background()
	evs := make([]collector.Event, 100)
	for i := range evs {
		evs[i] = sampleEvent("s1")
	}
	if n, err := st.InsertEventsOnce(ctx, slices.Clone(evs)); err != nil || n != 100 {
		t.Fatalf("first insert: %d %v", n, err)
	}
	if got := st.LookedUp(); got != 0 {
		t.Fatalf("first insert of new IDs looked up %d IDs, want 0", got)
	}
	// Unmarked repeats in the same process: found by the recent-ID filter.
	if n, err := st.InsertEventsOnce(ctx, slices.Clone(evs[:10])); err != nil || n != 0 {
		t.Fatalf("unmarked repeats: wrote %d (err %v), want 0", n, err)
	}
	if got := st.LookedUp(); got != 10 {
		t.Fatalf("unmarked repeats: looked up %d IDs, want 10", got)
	}
	// Another instance: 20 marked retries of stored events, 5 new events
	// (not looked up), one of which repeats inside the batch.
	batch := slices.Clone(evs[:20])
	for i := range batch {
		batch[i].MaybeStored = true
	}
	fresh := sampleEvent("s2")
	batch = append(batch, sampleEvent("s2"), sampleEvent("s2"), sampleEvent("s2"), sampleEvent("s2"), fresh, fresh)
	if n, err := other.InsertEventsOnce(ctx, batch); err != nil || n != 5 {
		t.Fatalf("other instance: wrote %d (err %v), want 5", n, err)
	}
	if got := other.LookedUp(); got != 21 {
		t.Fatalf("other instance looked up %d IDs, want 21 (20 retries, 1 repeat in the batch)", got)
	}
	if got := count(t, st, "1"); got != 105 {
		t.Fatalf("count() = %d, want 105", got)
	}
}

// An insert whose client stopped waiting may still be writing its rows on
// the server (a restart right after a timeout or a crash): a new process
// that replays the same events must not look their IDs up before it ends.
// Here the earlier insert is an INSERT … SELECT that the server holds for
// a second (sleep) before its row lands.
func TestInsertEventsOnceWaitsForARunningInsert(t *testing.T) {
	st := chtest.New(t)
	ctx := context.Background()
	ev := sampleEvent("s1")
	slow := make(chan error, 1)
	go func() {
		slow <- st.Conn.Exec(ctx, "INSERT INTO "+st.Dialect.DB+".events (event_id, site_id, ts, received_at, type) "+
			"SELECT toUUID(?), ?, toDateTime(?), toDateTime(?), 'pageview' FROM system.one WHERE sleep(1) = 0",
			uuid.UUID(ev.EventID).String(), ev.SiteID, ev.TS.Unix(), ev.TS.Unix())
	}()
	// Wait until the server runs it, as a restarted process would find it.
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := st.RunningInserts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the slow insert never showed up in system.processes")
		}
		time.Sleep(5 * time.Millisecond)
	}
	replay := ev
	replay.MaybeStored = true
	n, err := st.InsertEventsOnce(ctx, []collector.Event{replay})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-slow; err != nil {
		t.Fatalf("slow insert: %v", err)
	}
	if n != 0 || count(t, st, "1") != 1 {
		t.Fatalf("the replay wrote %d rows, count() = %d; want 0 and 1: it looked up before the running insert ended", n, count(t, st, "1"))
	}
}

// The wait above recognises the collector's own inserts: a large
// InsertEvents is seen running while it runs.
func TestRunningInsertsSeesInsertEvents(t *testing.T) {
	st := chtest.New(t)
	ctx := context.Background()
	evs := make([]collector.Event, 100000)
	for i := range evs {
		evs[i] = sampleEvent("s1")
	}
	done := make(chan error, 1)
	go func() { done <- st.InsertEvents(ctx, evs) }()
	seen := false
	for !seen {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			t.Fatal("InsertEvents of 100,000 rows ended without being seen by runningInserts")
		default:
		}
		n, err := st.RunningInserts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		seen = n > 0
		time.Sleep(time.Millisecond)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestMaxThreads: the server's max_threads as the stats engine sees it
// (a totals statement takes half), read from the real server.
func TestMaxThreads(t *testing.T) {
	st := chtest.New(t)
	n := st.MaxThreads(context.Background())
	if n < 1 {
		t.Fatalf("MaxThreads = %d, want the server's max_threads", n)
	}
}
