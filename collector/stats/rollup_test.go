package stats

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestFresh: the rollup answers up to the first day whose newest build
// was not made from the day's events; a day without events needs no build;
// FreshFor keeps an answer, 0 asks every time.
func TestFresh(t *testing.T) {
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	events := []Row{{"d": "2026-03-02", "n": uint64(5)}, {"d": "2026-03-04", "n": uint64(7)}, {"d": "2026-03-05", "n": uint64(1)}}
	built := []Row{{"d": "2026-03-02", "n": uint64(5)}, {"d": "2026-03-04", "n": uint64(7)}, {"d": "2026-03-05", "n": uint64(2)}}
	calls := 0
	e := &Engine{Runner: func(_ context.Context, st Statement) ([]Row, error) {
		calls++
		if strings.Contains(st.SQL, "visits_days") {
			return built, nil
		}
		return events, nil
	}}
	ctx := context.Background()
	if got, want := e.Fresh(ctx, "s", day, day.AddDate(0, 0, 5)), day.AddDate(0, 0, 3); !got.Equal(want) {
		t.Fatalf("fresh until %s, want %s (03-05 was built from 2 events, holds 1; 03-03 has none)", got, want)
	}
	if got := e.Fresh(ctx, "s", day, day.AddDate(0, 0, 3)); !got.Equal(day.AddDate(0, 0, 3)) {
		t.Fatalf("fresh until %s, want the end of the range", got)
	}
	if calls != 4 {
		t.Fatalf("%d queries without a cache, want 4", calls)
	}
	e.FreshFor = time.Minute
	e.Fresh(ctx, "s", day, day.AddDate(0, 0, 3))
	e.Fresh(ctx, "s", day, day.AddDate(0, 0, 3))
	if calls != 6 {
		t.Fatalf("%d queries with FreshFor, want 6 (one check, then the cache)", calls)
	}
}

// TestFreshShared: questions that arrive while a check is in flight wait
// for it instead of making their own (a dashboard asks a dozen at once).
func TestFreshShared(t *testing.T) {
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	calls := 0
	started, release := make(chan struct{}, 100), make(chan struct{})
	e := &Engine{FreshFor: time.Minute, Runner: func(_ context.Context, st Statement) ([]Row, error) {
		mu.Lock()
		calls++
		mu.Unlock()
		started <- struct{}{}
		<-release
		return []Row{{"d": "2026-03-02", "n": uint64(5)}}, nil
	}}
	ctx := context.Background()
	var wg sync.WaitGroup
	splits := make([]time.Time, 10)
	ask := func(i int) {
		defer wg.Done()
		splits[i] = e.Fresh(ctx, "s", day, day.AddDate(0, 0, 1))
	}
	wg.Add(1)
	go ask(0)
	<-started // the first check is in flight
	for i := 1; i < len(splits); i++ {
		wg.Add(1)
		go ask(i)
	}
	time.Sleep(100 * time.Millisecond)
	close(release)
	wg.Wait()
	if calls != 2 {
		t.Fatalf("%d statements for 10 questions at once, want 2 (one check)", calls)
	}
	for i, s := range splits {
		if !s.Equal(day.AddDate(0, 0, 1)) {
			t.Fatalf("question %d: fresh until %s, want the end of the range", i, s)
		}
	}
}
