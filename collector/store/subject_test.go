package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/google/uuid"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/collector/store/chtest"
)

// TestSubjectLookupIsBounded: counting and reading a subject's events
// reads a bounded part of the site's events (through event_subjects and
// the primary key), not every event of the site, and finds exactly the
// subject's rows, also those stored before the index existed (backfill).
func TestSubjectLookupIsBounded(t *testing.T) {
	st := chtest.New(t)
	ctx := context.Background()
	const crowd = 1_000_000
	// A crowd of other visitors over 60 days, written by the server itself.
	err := st.Conn.Exec(ctx, `INSERT INTO `+st.Dialect.DB+`.events (event_id, site_id, ts, received_at, type, url_path, visitor_id, user_id)
		SELECT generateUUIDv4(), 'shop', toDateTime('2026-09-01 00:00:00') + (cityHash64(number) % (60*86400)) AS t, t, 'pageview', '/crowd',
		       concat('c', toString(number % 50000)), if(number % 7 = 0, concat('u', toString(number % 9000)), '')
		FROM numbers(?)`, crowd)
	if err != nil {
		t.Fatal(err)
	}
	var mine []collector.Event
	for d := range 5 {
		ts := time.Date(2026, 9, 3+d*10, 12, 0, 0, 0, time.UTC)
		mine = append(mine, collector.Event{EventID: uuid.New(), SiteID: "shop", TS: ts, ReceivedAt: ts, Type: "pageview", URLPath: "/mine", VisitorID: "me", UserID: map[bool]string{true: "u-me"}[d == 0]})
	}
	if err := st.InsertEvents(ctx, mine); err != nil {
		t.Fatal(err)
	}
	// The ledger: a decision per crowd visitor, and two of "me".
	err = st.Conn.Exec(ctx, `INSERT INTO `+st.Dialect.DB+`.consent_log (consent_id, site_id, ts, visitor_id, user_id, granted, denied, revision, texts_hash, method, lang, gpc, ua_family, expires_at)
		SELECT toString(generateUUIDv4()), 'shop', toDateTime('2026-09-01 00:00:00') + number, if(number < 2, 'me', concat('c', toString(number))), '',
		       ['necessary'], [], 1, 'h', 'accept_all', 'en', 0, '', toDateTime('2027-03-01 00:00:00')
		FROM numbers(200000)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		sub  store.Subject
		want uint64
	}{
		{"visitor", store.Subject{Site: "shop", Kind: store.KindVisitor, Key: "me", Visitors: []string{"me"}}, 5},
		{"user", store.Subject{Site: "shop", Kind: store.KindUser, Key: "u-me", Users: []string{"u-me"}, Visitors: []string{"me"}}, 5},
		{"crowd visitor", store.Subject{Site: "shop", Kind: store.KindVisitor, Key: "c42", Visitors: []string{"c42"}}, crowd / 50000},
		{"nobody", store.Subject{Site: "shop", Kind: store.KindVisitor, Key: "nobody", Visitors: []string{"nobody"}}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var read uint64
			pctx := clickhouse.Context(ctx, clickhouse.WithProgress(func(p *clickhouse.Progress) { read += p.Rows }))
			n, err := st.CountSubjectRows(pctx, "events", tc.sub)
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.want {
				t.Errorf("%d events, want %d", n, tc.want)
			}
			// The bound: at most about one day of the site per event found
			// (the primary key is (site, day, event ID)), not the site.
			if limit := (n + 1) * crowd / 60 * 3 / 2; read > limit || read > crowd/2 {
				t.Errorf("the lookup read %d rows of a site of %d for %d events: not bounded (limit %d)", read, crowd, n, limit)
			}
			read = 0
			m, err := st.CountSubjectEvents(pctx, tc.sub)
			if err != nil {
				t.Fatal(err)
			}
			if m != tc.want || read > crowd/10 {
				t.Errorf("CountSubjectEvents: %d events reading %d rows, want %d reading a few granules of each part", m, read, tc.want)
			}
			read = 0
			if _, err := st.CountSubjectRows(pctx, "consent_log", tc.sub); err != nil {
				t.Fatal(err)
			}
			if read > 200000/4 {
				t.Errorf("the ledger lookup read %d rows of 200,000: not bounded", read)
			}
		})
	}
}
