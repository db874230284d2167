package rollup_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/rollup"
	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/collector/store/chtest"
)

var day1 = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

func pageview(site, vid, path string, ts time.Time) collector.Event {
	var id [16]byte
	rand.Read(id[:])
	return collector.Event{EventID: id, SiteID: site, TS: ts, ReceivedAt: ts, Type: "pageview", URLHost: "a.example",
		URLPath: path, VisitorID: vid, SessionID: "s-" + vid, Country: "JP"}
}

// count returns what the rollup's newest builds hold for site: visits and
// the builds recorded per day.
func count(t *testing.T, st *store.Store, q string, args ...any) uint64 {
	t.Helper()
	var n uint64
	if err := st.Conn.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRefresh: a first refresh builds every day with events; nothing
// changed, nothing is rebuilt; a late event rebuilds its day only and the
// replaced build's partition is dropped; a day whose events are all gone
// (retention) is recorded empty and its visits dropped.
func TestRefresh(t *testing.T) {
	st := chtest.New(t)
	ctx := context.Background()
	db := st.Dialect.DB
	evs := []collector.Event{
		pageview("a", "v1", "/", day1.Add(10*time.Hour)),
		pageview("a", "v1", "/pricing", day1.Add(10*time.Hour+time.Minute)),
		pageview("a", "v2", "/", day1.Add(24*time.Hour+time.Hour)),
		pageview("b", "v3", "/", day1.Add(24*time.Hour+2*time.Hour)),
	}
	if err := st.InsertEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	res, err := rollup.Refresh(ctx, st, time.Time{}, time.Now)
	if err != nil || len(res.Rebuilt) != 3 {
		t.Fatalf("first refresh: %+v %v, want 3 days (a: 2, b: 1)", res, err)
	}
	if n := count(t, st, "SELECT count() FROM "+db+".visits WHERE site_id = 'a'"); n != 2 {
		t.Fatalf("site a: %d visits, want 2", n)
	}
	if n := count(t, st, "SELECT length(any(pages)) FROM "+db+".visits WHERE site_id = 'a' AND visitor_id = 'v1'"); n != 2 {
		t.Fatalf("v1's visit has %d pages, want 2", n)
	}
	if res, err := rollup.Refresh(ctx, st, time.Time{}, time.Now); err != nil || len(res.Rebuilt)+len(res.Removed) != 0 {
		t.Fatalf("unchanged refresh: %+v %v", res, err)
	}

	// A late event on day 1 of site a: only that day is built again.
	if err := st.InsertEvents(ctx, []collector.Event{pageview("a", "v4", "/late", day1.Add(20*time.Hour))}); err != nil {
		t.Fatal(err)
	}
	res, err = rollup.Refresh(ctx, st, time.Time{}, time.Now)
	if err != nil || len(res.Rebuilt) != 1 || res.Rebuilt[0] != (rollup.Day{Site: "a", Day: "2026-04-01"}) {
		t.Fatalf("after a late event: %+v %v, want a 2026-04-01 only", res, err)
	}
	if n := count(t, st, "SELECT uniqExact(version) FROM "+db+".visits WHERE site_id = 'a' AND day = '2026-04-01'"); n != 1 {
		t.Fatalf("%d builds of the rebuilt day left, want the newest only", n)
	}
	if n := count(t, st, "SELECT count() FROM "+db+".visits WHERE site_id = 'a' AND day = '2026-04-01'"); n != 2 {
		t.Fatalf("rebuilt day: %d visits, want 2 (v1 and v4)", n)
	}

	// Retention deletes every event of site b's day: its visits go.
	if err := st.Conn.Exec(ctx, "ALTER TABLE "+db+".events DELETE WHERE site_id = 'b'"); err != nil {
		t.Fatal(err)
	}
	if err := st.WaitMutations(ctx, "events"); err != nil {
		t.Fatal(err)
	}
	res, err = rollup.Refresh(ctx, st, time.Time{}, time.Now)
	if err != nil || len(res.Removed) != 1 || res.Removed[0].Site != "b" {
		t.Fatalf("after retention: %+v %v, want site b's day removed", res, err)
	}
	if n := count(t, st, "SELECT count() FROM "+db+".visits WHERE site_id = 'b'"); n != 0 {
		t.Fatalf("site b: %d visits left after its events went", n)
	}
	// Refreshing only recent days leaves older ones alone.
	if err := st.InsertEvents(ctx, []collector.Event{pageview("a", "v5", "/old", day1.Add(3*time.Hour))}); err != nil {
		t.Fatal(err)
	}
	if res, err := rollup.Refresh(ctx, st, day1.AddDate(0, 0, 1), time.Now); err != nil || len(res.Rebuilt) != 0 {
		t.Fatalf("a refresh from day 2 rebuilt %+v (%v)", res, err)
	}
}
