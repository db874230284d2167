package spool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr bool
	}{
		{"defaults", Config{Dir: "x"}, false},
		{"no dir", Config{}, true},
		{"negative cap", Config{Dir: "x", MaxBytes: -1}, true},
		{"tiny segments", Config{Dir: "x", SegmentBytes: 100}, true},
		{"no delay", Config{Dir: "x", SyncDelay: -1}, false},
		{"huge delay", Config{Dir: "x", SyncDelay: time.Second}, true},
		{"too many committers", Config{Dir: "x", Committers: MaxCommitters + 1}, true},
		{"negative committers", Config{Dir: "x", Committers: -1}, true},
		{"explicit", Config{Dir: "x", MaxBytes: 1 << 20, SegmentBytes: 64 << 10, SyncDelay: time.Millisecond}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			err := cfg.Validate()
			if (err != nil) != tt.wantErr {
				t.Fatalf("Validate() = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && (cfg.MaxBytes == 0 || cfg.SegmentBytes == 0 || cfg.Committers == 0) {
				t.Errorf("defaults not applied: %+v", cfg)
			}
		})
	}
}

func TestAppendReadConfirm(t *testing.T) {
	tests := []struct {
		name    string
		perCall int // records per Append
		calls   int
		readMax int
	}{
		{"one record", 1, 1, 10},
		{"single records, small batches", 1, 200, 7},
		{"multi-record appends", 5, 40, 1000},
		{"spanning many segments", 3, 300, 64},
		{"empty records", 0, 0, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, reg := openSpool(t, testConfig(t))
			var want []string
			for c := range tt.calls {
				var recs [][]byte
				for r := range tt.perCall {
					i := c*tt.perCall + r
					id := fmt.Sprintf("r-%d", i)
					want = append(want, id)
					recs = append(recs, payload(id, i))
				}
				if err := s.Append(context.Background(), recs...); err != nil {
					t.Fatalf("Append: %v", err)
				}
			}
			if st := s.Stats(); st.Records != int64(len(want)) {
				t.Errorf("Stats().Records = %d, want %d", st.Records, len(want))
			}
			if n := len(want); n > 0 && s.Stats().OldestUnconfirmed.IsZero() {
				t.Error("OldestUnconfirmed is zero with unconfirmed records")
			}
			got := drain(t, s, tt.readMax)
			if !slices.Equal(got, want) {
				t.Fatalf("read %d records, want %d (first difference at %d)", len(got), len(want), firstDiff(got, want))
			}
			st := s.Stats()
			if st.Records != 0 || st.Bytes != 0 || !st.OldestUnconfirmed.IsZero() {
				t.Errorf("after confirming all: %+v", st)
			}
			if n := len(segmentFiles(t, s.cfg.Dir)); n > 1 {
				t.Errorf("%d segment files left after confirming all, want at most the active one", n)
			}
			if v := metricValue(t, reg, "ashiato_spool_records"); v != 0 {
				t.Errorf("ashiato_spool_records = %v", v)
			}
		})
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestAppendTooLarge(t *testing.T) {
	s, _ := openSpool(t, testConfig(t))
	err := s.Append(context.Background(), make([]byte, MaxRecordBytes+1))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Append(huge) = %v, want ErrTooLarge", err)
	}
	// The 16 KiB segments take at most 16 KiB per Append.
	err = s.Append(context.Background(), make([]byte, 10<<10), make([]byte, 10<<10))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Append(2×10 KiB) = %v, want ErrTooLarge", err)
	}
	if err := s.Append(context.Background(), make([]byte, 10<<10)); err != nil {
		t.Fatalf("Append(10 KiB) = %v", err)
	}
}

func TestReplayAfterReopen(t *testing.T) {
	cfg := testConfig(t)
	s, _ := openSpool(t, cfg)
	want := appendN(t, s, "a", 300)

	// Confirm the first batch only, read a second without confirming it.
	b, err := s.Read(context.Background(), 100, time.Second)
	if err != nil || len(b.Records) != 100 {
		t.Fatalf("Read = %d records, %v", len(b.Records), err)
	}
	if b.Seen != 0 {
		t.Errorf("first read of fresh records: Seen = %d, want 0", b.Seen)
	}
	if err := s.Confirm(b); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Read(context.Background(), 50, time.Second); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Append(context.Background(), []byte("late")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Append after Close = %v, want ErrClosed", err)
	}

	s2, reg := openSpool(t, cfg)
	if st := s2.Stats(); st.Records != 200 {
		t.Errorf("after reopen Stats().Records = %d, want 200", st.Records)
	}
	if v := metricValue(t, reg, "ashiato_spool_replayed_records_total"); v != 200 {
		t.Errorf("replayed metric = %v, want 200", v)
	}
	more := appendN(t, s2, "b", 20)
	// The 200 replayed records may have been stored by the first run; the
	// 20 appended after the reopen may not.
	b150, _ := s2.Read(context.Background(), 150, time.Second)
	b70, _ := s2.Read(context.Background(), 70, time.Second)
	if b150.Seen != 150 || len(b70.Records) != 70 || b70.Seen != 50 {
		t.Errorf("after reopen: Seen %d of %d, then %d of %d; want 150 of 150, 50 of 70", b150.Seen, len(b150.Records), b70.Seen, len(b70.Records))
	}
	s2.Requeue(b150)
	got := drain(t, s2, 64)
	if want := append(want[100:], more...); !slices.Equal(got, want) {
		t.Fatalf("after reopen read %d records, want %d (first difference at %d)", len(got), len(want), firstDiff(got, want))
	}
	s2.Close()

	s3, _ := openSpool(t, cfg)
	if got := drain(t, s3, 64); len(got) != 0 {
		t.Fatalf("after confirming all and reopening, %d records handed out again", len(got))
	}
}

func TestRequeue(t *testing.T) {
	s, _ := openSpool(t, testConfig(t))
	want := appendN(t, s, "q", 120)
	ctx := context.Background()
	b1, _ := s.Read(ctx, 50, time.Second)
	b2, _ := s.Read(ctx, 50, time.Second)
	if len(b1.Records) != 50 || len(b2.Records) != 50 {
		t.Fatalf("Read = %d, %d records", len(b1.Records), len(b2.Records))
	}
	if err := s.Confirm(b2); err == nil {
		t.Fatal("Confirm out of order succeeded")
	}
	if err := s.Confirm(b1); err != nil {
		t.Fatal(err)
	}
	s.Requeue(b2) // the store failed: b2 and everything after come again
	b3, _ := s.Read(ctx, 60, time.Second)
	if len(b3.Records) != 60 || b3.Seen != 50 {
		t.Fatalf("after Requeue: %d records, Seen %d; want 60, 50 (b2 was handed out before)", len(b3.Records), b3.Seen)
	}
	s.Requeue(b3)
	got := drain(t, s, 30)
	if !slices.Equal(got, want[50:]) {
		t.Fatalf("after Requeue read %d records, want %d (first difference at %d)", len(got), 70, firstDiff(got, want[50:]))
	}
	if err := s.Confirm(b1); err != nil {
		t.Fatalf("confirming a batch twice: %v", err)
	}
}

func TestReadWaits(t *testing.T) {
	s, _ := openSpool(t, testConfig(t))
	ctx := context.Background()
	b, err := s.Read(ctx, 10, 20*time.Millisecond)
	if err != nil || len(b.Records) != 0 {
		t.Fatalf("Read on empty spool = %d records, %v", len(b.Records), err)
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		s.Append(ctx, payload("w-0", 0))
	}()
	b, err = s.Read(ctx, 10, 10*time.Second)
	if err != nil || len(b.Records) != 1 {
		t.Fatalf("Read while appending = %d records, %v", len(b.Records), err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Read(cctx, 10, time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("Read with canceled context = %v", err)
	}
}

func TestCapFullThenRecovers(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxBytes = 20 << 10
	s, reg := openSpool(t, cfg)
	ctx := context.Background()
	var acked []string
	var err error
	for i := 0; ; i++ {
		id := fmt.Sprintf("c-%d", i)
		if err = s.Append(ctx, payload(id, i)); err != nil {
			break
		}
		acked = append(acked, id)
	}
	if !errors.Is(err, ErrFull) {
		t.Fatalf("Append at the cap = %v, want ErrFull", err)
	}
	if st := s.Stats(); st.Bytes > cfg.MaxBytes {
		t.Errorf("spool holds %d bytes, cap %d", st.Bytes, cfg.MaxBytes)
	}
	if v := metricValue(t, reg, "ashiato_spool_append_errors_total", "reason", "full"); v != 1 {
		t.Errorf("append_errors_total{reason=full} = %v, want 1", v)
	}
	got := drain(t, s, 1000)
	if !slices.Equal(got, acked) {
		t.Fatalf("read %d records, acknowledged %d", len(got), len(acked))
	}
	if err := s.Append(ctx, payload("c-after", 1)); err != nil {
		t.Fatalf("Append after Confirm freed room = %v", err)
	}
}

func TestConcurrentAppendersWithConsumer(t *testing.T) {
	for committers := 1; committers <= MaxCommitters; committers *= 2 {
		t.Run(fmt.Sprintf("committers=%d", committers), func(t *testing.T) {
			testConcurrentAppenders(t, committers)
		})
	}
}

func testConcurrentAppenders(t *testing.T, committers int) {
	cfg := testConfig(t)
	cfg.SegmentBytes = 64 << 10
	cfg.Committers = committers
	s, reg := openSpool(t, cfg)
	const writers, each = 16, 300
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("w%02d-%d", w, i)
				if err := s.Append(ctx, payload(id, i)); err != nil {
					t.Errorf("Append %s: %v", id, err)
					return
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	seen := map[string]bool{}
	last := map[string]int{}
	for finished := false; ; {
		select {
		case <-done:
			finished = true
		default:
		}
		b, err := s.Read(ctx, 97, 20*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range b.Records {
			id := checkPayload(t, r)
			if seen[id] {
				t.Fatalf("record %s handed out twice", id)
			}
			seen[id] = true
			var w, i int
			fmt.Sscanf(id, "w%d-%d", &w, &i)
			if prev, ok := last[id[:3]]; ok && i <= prev {
				t.Fatalf("writer %s: record %d after %d", id[:3], i, prev)
			}
			last[id[:3]] = i
		}
		if err := s.Confirm(b); err != nil {
			t.Fatal(err)
		}
		if finished && len(b.Records) == 0 {
			break
		}
	}
	if len(seen) != writers*each {
		t.Fatalf("read %d records, want %d", len(seen), writers*each)
	}
	if n := metricValue(t, reg, "ashiato_spool_group_commit_records"); n == 0 || n > writers*each {
		t.Errorf("group commits = %v", n)
	}
	if st := s.Stats(); st.Records != 0 {
		t.Errorf("unconfirmed after draining: %+v", st)
	}
}

func TestCloseFlushesAndReleases(t *testing.T) {
	cfg := testConfig(t)
	s, err := Open(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(cfg, nil, nil); err == nil {
		t.Fatal("second Open of the same dir succeeded")
	}
	appendN(t, s, "x", 10)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range segmentFiles(t, cfg.Dir) {
		fi, _ := os.Stat(f)
		if fi.Size() > cfg.SegmentBytes/2 {
			t.Errorf("%s keeps its preallocation after Close: %d bytes", filepath.Base(f), fi.Size())
		}
	}
	s2, _ := openSpool(t, cfg)
	if got := drain(t, s2, 100); len(got) != 10 {
		t.Fatalf("read %d records after reopen, want 10", len(got))
	}
}

// TestLingerEndsWhenTheGroupIsComplete: a committer that lingers for more
// records is woken by the Append that brings the group to the last group's
// size, not by its timer. The timer here never fires within the test, so a
// missed wake-up fails it.
func TestLingerEndsWhenTheGroupIsComplete(t *testing.T) {
	s, reg := openSpool(t, Config{Dir: t.TempDir(), SyncDelay: maxSyncDelay, MaxBytes: 1 << 30})
	// Set before the first Append, whose wake-up orders it before the
	// committer's reads.
	s.cfg.SyncDelay = time.Hour
	if err := s.Append(context.Background(), payload("a", 0), payload("b", 1), payload("c", 2)); err != nil {
		t.Fatal(err)
	}
	// The committer now lingers until a group holds three records.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	errs := make(chan error, 3)
	for i := range 3 {
		go func() { errs <- s.Append(ctx, payload(fmt.Sprint("d", i), i)) }()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatalf("Append of a record that completes the group: %v (the lingering committer was not woken)", err)
		}
	}
	if got := metricValue(t, reg, "ashiato_spool_fsync_seconds"); got != 2 {
		t.Errorf("%v group commits, want 2 (the group of three, then the three appends together)", got)
	}
}
