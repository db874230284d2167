package rollup_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/rollup"
	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/collector/store/chtest"
	"github.com/ashiato/ashiato/internal/seed"
)

// The rollup follows events through everything that changes them: the
// first build, an unchanged refresh, a late event, an erasure and retention.
// After each step its visits agree with the events (pageviews, sessions),
// and a replaced build is gone from the table, not only from the reports.
func TestRefreshFollowsEvents(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dsn, _ := chtest.DSN(t)
	end := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC) // November 1–3
	ch, err := seed.OpenClickHouse(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = seed.Run(ctx, seed.Config{Site: "shop", Events: 4000, Days: 3, End: end, Seed: 9}, ch, nil)
	if cerr := ch.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	st := chtest.Open(t, dsn)
	clock := func() time.Time { return time.Now() }

	res := refresh(t, st, clock)
	if len(res.Rebuilt) != 3 {
		t.Fatalf("first refresh rebuilt %v, want 3 days", res.Rebuilt)
	}
	agree(t, st)
	if res := refresh(t, st, clock); len(res.Rebuilt)+len(res.Removed) != 0 {
		t.Fatalf("refresh without changes did %+v", res)
	}

	t.Run("late event", func(t *testing.T) {
		late := collector.Event{EventID: uuid.New(), SiteID: "shop", TS: end.Add(-30 * time.Hour), ReceivedAt: end,
			Type: collector.TypePageview, URLHost: "shop.example", URLPath: "/late", VisitorHash: 77, Purposes: []string{"necessary"}}
		if err := st.InsertEvents(ctx, []collector.Event{late}); err != nil {
			t.Fatal(err)
		}
		res := refresh(t, st, clock)
		if len(res.Rebuilt) != 1 || res.Rebuilt[0].Day != "2026-11-02" {
			t.Fatalf("rebuilt %v, want the late event's day", res.Rebuilt)
		}
		agree(t, st)
		if n := count(t, st, "SELECT count() FROM (SELECT DISTINCT version FROM "+st.Dialect.DB+".visits WHERE day = '2026-11-02')"); n != 1 {
			t.Fatalf("%d builds of the day in the table, want the replaced one dropped", n)
		}
	})

	t.Run("erasure", func(t *testing.T) {
		var vid string
		if err := st.Conn.QueryRow(ctx, "SELECT any(visitor_id) FROM "+st.Dialect.DB+".events WHERE visitor_id != ''").Scan(&vid); err != nil {
			t.Fatal(err)
		}
		mutate(t, st, "ALTER TABLE "+st.Dialect.DB+".events DELETE WHERE visitor_id = '"+vid+"'")
		if res := refresh(t, st, clock); len(res.Rebuilt) == 0 {
			t.Fatal("erasure rebuilt nothing")
		}
		agree(t, st)
		if n := count(t, st, "SELECT count() FROM "+st.Dialect.DB+".visits WHERE visitor_id = '"+vid+"'"); n != 0 {
			t.Fatalf("erased visitor still in %d rows of visits", n)
		}
	})

	t.Run("retention", func(t *testing.T) {
		if err := st.Conn.Exec(ctx, "ALTER TABLE "+st.Dialect.DB+".events DROP PARTITION 202611"); err != nil {
			t.Fatal(err)
		}
		res := refresh(t, st, clock)
		if len(res.Removed) != 3 {
			t.Fatalf("removed %v, want the three November days", res.Removed)
		}
		if n := count(t, st, "SELECT count() FROM "+st.Dialect.DB+".visits WHERE day >= '2026-11-01'"); n != 0 {
			t.Fatalf("%d visits of dropped days left", n)
		}
		agree(t, st)
	})
}

func refresh(t *testing.T, st *store.Store, clock func() time.Time) rollup.Result {
	t.Helper()
	res, err := rollup.Refresh(context.Background(), st, clock)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// agree checks the newest builds against events: the same pageviews and
// the same sessions (bots excluded).
func agree(t *testing.T, st *store.Store) {
	t.Helper()
	db := st.Dialect.DB
	latest := " WHERE (day, version) IN (SELECT day, max(version) FROM " + db + ".visits_days GROUP BY day)"
	pv := count(t, st, "SELECT countIf(type = 'pageview') FROM "+db+".events WHERE is_bot = 0")
	if got := count(t, st, "SELECT sum(pageviews) FROM "+db+".visits"+latest); got != pv {
		t.Errorf("visits hold %d pageviews, events %d", got, pv)
	}
	sessions := count(t, st, "SELECT uniqExact(session_id) FROM "+db+".events WHERE is_bot = 0 AND session_id != ''")
	if got := count(t, st, "SELECT uniqExact(session_id) FROM "+db+".visits"+latest+" AND session_id != ''"); got != sessions {
		t.Errorf("visits hold %d sessions, events %d", got, sessions)
	}
}

func count(t *testing.T, st *store.Store, q string) uint64 {
	t.Helper()
	var n uint64
	if err := st.Conn.QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// mutate runs an ALTER … DELETE and waits until the mutation is done.
func mutate(t *testing.T, st *store.Store, q string) {
	t.Helper()
	if err := st.Conn.Exec(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	for range 300 {
		if count(t, st, "SELECT count() FROM system.mutations WHERE database = '"+st.Dialect.DB+"' AND is_done = 0") == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("mutation did not finish")
}
