package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/collector/store/chtest"
)

// An insert larger than one block still lands as one part: the server
// squashes the blocks, so sending in blocks does not multiply the parts per
// partition. Every row and value arrives, in every block.
func TestInsertEventsInBlocksMakesOnePart(t *testing.T) {
	st := chtest.New(t)
	ctx := context.Background()
	table := st.Dialect.DB + ".events"
	if err := st.Conn.Exec(ctx, "SYSTEM STOP MERGES "+table); err != nil {
		t.Fatalf("stop merges: %v", err)
	}
	const n = 2500 // three blocks of blockRows (1,024), the last one short
	evs := make([]collector.Event, n)
	for i := range evs {
		evs[i] = sampleEvent("s1")
		evs[i].URLPath = fmt.Sprintf("/p/%d", i)
		switch i % 3 { // arrays of 0, 1 and 3 values, row after row
		case 0:
			evs[i].PropKeys, evs[i].PropValues = nil, nil
		case 1:
			evs[i].PropKeys, evs[i].PropValues = []string{"i"}, []string{fmt.Sprint(i)}
		case 2:
			evs[i].PropKeys, evs[i].PropValues = []string{"i", "x", "y"}, []string{fmt.Sprint(i), "x", "y"}
		}
		evs[i].EngagedMS = uint32(i)
	}
	if err := st.InsertEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	var parts uint64
	if err := st.Conn.QueryRow(ctx, "SELECT count() FROM system.parts WHERE database = ? AND table = 'events' AND active", st.Dialect.DB).Scan(&parts); err != nil {
		t.Fatal(err)
	}
	if parts != 1 {
		t.Errorf("one insert of %d rows made %d parts, want 1", n, parts)
	}
	var rows, paths, matched uint64
	agree := "length(prop_keys) = length(prop_values) AND length(prop_keys) = multiIf(engaged_ms % 3 = 0, 0, engaged_ms % 3 = 1, 1, 3)" +
		" AND (length(prop_keys) = 0 OR (url_path = concat('/p/', prop_values[1]) AND toString(engaged_ms) = prop_values[1]))" +
		" AND (length(prop_keys) < 3 OR (prop_keys[3] = 'y' AND prop_values[2] = 'x'))"
	err := st.Conn.QueryRow(ctx, "SELECT count(), uniqExact(url_path), countIf("+agree+") FROM "+table).
		Scan(&rows, &paths, &matched)
	if err != nil {
		t.Fatal(err)
	}
	if rows != n || paths != n || matched != n {
		t.Fatalf("read back %d rows, %d distinct paths, %d rows whose columns agree; want %d of each", rows, paths, matched, n)
	}
}

// An Array(String) value costs no allocation of its own on the way into
// clickhouse-go (it boxed every element before): what is left per row is
// the row itself handed over as an interface.
func TestArrayColumnsDoNotBoxTheirValues(t *testing.T) {
	st := chtest.New(t)
	ctx := context.Background()
	batch, err := st.Conn.PrepareBatch(ctx, "INSERT INTO "+st.Dialect.DB+".events (event_id, prop_keys)")
	if err != nil {
		t.Fatal(err)
	}
	defer batch.Abort()
	rows := make([]collector.Event, 1000)
	for i := range rows {
		rows[i].PropKeys = []string{"plan", "ab", "logged_in"}
	}
	col := batch.Column(1)
	if err := store.AppendColumn(col, "prop_keys", rows); err != nil { // the column's buffers grow once
		t.Fatal(err)
	}
	perRow := testing.AllocsPerRun(5, func() {
		if err := store.AppendColumn(col, "prop_keys", rows); err != nil {
			t.Fatal(err)
		}
	}) / float64(len(rows))
	if perRow > 1.5 {
		t.Errorf("%.2f allocations per row of 3 values, want about 1", perRow)
	}
}
