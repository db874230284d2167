package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ashiato/ashiato/collector"
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
		evs[i].PropKeys, evs[i].PropValues = []string{"i"}, []string{fmt.Sprint(i)}
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
	err := st.Conn.QueryRow(ctx, "SELECT count(), uniqExact(url_path), countIf(url_path = concat('/p/', prop_values[1]) AND toString(engaged_ms) = prop_values[1]) FROM "+table).
		Scan(&rows, &paths, &matched)
	if err != nil {
		t.Fatal(err)
	}
	if rows != n || paths != n || matched != n {
		t.Fatalf("read back %d rows, %d distinct paths, %d rows whose columns agree; want %d of each", rows, paths, matched, n)
	}
}
