package seed

import (
	"context"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/store/chtest"
)

// Seeding N events into a fresh database stores N rows with the promised
// shares, counted by ClickHouse: about 40 % consented, a few per cent bots,
// sessions of several pages, revenue in two currencies, and a ledger row
// for every consent ID the events carry.
func TestSeedClickHouse(t *testing.T) {
	dsn, _ := chtest.DSN(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ch, err := OpenClickHouse(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	const n = 20000
	var calls int
	tot, err := Run(ctx, Config{Site: "shop", Events: n, Days: 14, Seed: 3, Batch: 5000}, ch, func(int) { calls++ })
	if cerr := ch.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if tot.Events != n || calls < 4 {
		t.Fatalf("totals %+v, %d progress calls", tot, calls)
	}
	st2 := chtest.Open(t, dsn) // a second connection; drops the database at cleanup
	var (
		rows, consented, bots, sessions, pageviewsInSessions, currencies, orphans, decisions uint64
		future                                                                               uint8
	)
	row := st2.Conn.QueryRow(ctx, `SELECT count(), countIf(visitor_id != ''), countIf(is_bot = 1),
		uniqExactIf(session_id, session_id != ''), countIf(type = 'pageview' AND session_id != ''),
		uniqExactIf(prop_values[indexOf(prop_keys, 'currency')], has(prop_keys, 'revenue')),
		max(ts > now() + 60)
		FROM `+st2.Dialect.DB+`.events WHERE site_id = 'shop'`)
	if err := row.Scan(&rows, &consented, &bots, &sessions, &pageviewsInSessions, &currencies, &future); err != nil {
		t.Fatal(err)
	}
	if err := st2.Conn.QueryRow(ctx, `SELECT count() FROM `+st2.Dialect.DB+`.consent_log`).Scan(&decisions); err != nil {
		t.Fatal(err)
	}
	if err := st2.Conn.QueryRow(ctx, `SELECT count() FROM (SELECT DISTINCT consent_id FROM `+st2.Dialect.DB+
		`.events WHERE consent_id != '') WHERE consent_id NOT IN (SELECT consent_id FROM `+st2.Dialect.DB+`.consent_log)`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	share := func(k uint64) float64 { return float64(k) / float64(rows) }
	switch {
	case rows != n:
		t.Errorf("%d rows, want %d", rows, n)
	case share(consented) < 0.33 || share(consented) > 0.47:
		t.Errorf("consented share %.3f, want about 0.40", share(consented))
	case share(bots) < 0.01 || share(bots) > 0.08:
		t.Errorf("bot share %.3f, want a few per cent", share(bots))
	case sessions == 0 || float64(pageviewsInSessions)/float64(sessions) < 2:
		t.Errorf("%d pageviews in %d sessions, want several pages per session", pageviewsInSessions, sessions)
	case currencies != 2:
		t.Errorf("revenue in %d currencies, want 2", currencies)
	case future != 0:
		t.Error("events after now")
	case decisions != uint64(tot.Decisions) || orphans != 0:
		t.Errorf("%d ledger rows (generated %d), %d consent IDs of events missing from the ledger", decisions, tot.Decisions, orphans)
	}
}
