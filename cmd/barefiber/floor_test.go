package main

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/spool"
	"github.com/ashiato/ashiato/collector/store/chtest"
)

// post sends n events to srv from 8 goroutines and returns the statuses.
func post(t *testing.T, srv *Server, n int) map[int]int {
	t.Helper()
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := g; i < n; i += 8 {
				resp, err := http.Post("http://"+srv.Addr+"/api/event", "text/plain", strings.NewReader(`{"site":"demo"}`))
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				mu.Lock()
				statuses[resp.StatusCode]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return statuses
}

// Without ClickHouse the floor answers 204 once a hit is in the spool, and
// its writer reads every record back and confirms it, so nothing is left
// behind.
func TestDurableFloorSpoolsAndConfirms(t *testing.T) {
	dir := t.TempDir()
	srv, err := StartDurable("127.0.0.1:0", dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := post(t, srv, 200); got[http.StatusNoContent] != 200 {
		t.Fatalf("statuses %v, want 200 × 204", got)
	}
	deadline := time.Now().Add(10 * time.Second)
	for srv.floor.spool.Stats().Records != 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if st := srv.floor.spool.Stats(); st.Records != 0 {
		t.Errorf("%d records still unconfirmed after 10 s", st.Records)
	}
	if n := srv.floor.discarded.Load(); n != 200 {
		t.Errorf("the writer read %d records back, want 200", n)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	// The records were durable and are all confirmed: a reopened spool has
	// nothing to hand out.
	sp, err := spool.Open(spool.Config{Dir: dir}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	b, err := sp.Read(context.Background(), 1000, 0)
	if err != nil || len(b.Records) != 0 {
		t.Errorf("reopened spool: %d records (%v), want none", len(b.Records), err)
	}
}

// With ClickHouse, every answered hit becomes one row of the events table.
func TestDurableFloorInsertsARowPerHit(t *testing.T) {
	dsn, _ := chtest.DSN(t)
	st := chtest.Open(t, dsn)
	srv, err := StartDurable("127.0.0.1:0", t.TempDir(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	const n = 300
	if got := post(t, srv, n); got[http.StatusNoContent] != n {
		t.Fatalf("statuses %v, want %d × 204", got, n)
	}
	ctx := context.Background()
	var rows, ids uint64
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err := st.Conn.QueryRow(ctx, "SELECT count(), uniqExact(event_id) FROM "+st.Dialect.DB+".events").Scan(&rows, &ids); err != nil {
			t.Fatal(err)
		}
		if rows >= n {
			break
		}
	}
	if rows != n || ids != n {
		t.Errorf("events: %d rows, %d event IDs; want %d of each", rows, ids, n)
	}
}
