package spool

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// BenchmarkAppend measures durable appends of 400-byte records from a
// number of concurrent goroutines; records/s is the figure that matters.
func BenchmarkAppend(b *testing.B) {
	for _, c := range []struct {
		delay      time.Duration
		committers int
	}{{-1, 1}, {200 * time.Microsecond, 1}, {500 * time.Microsecond, 1}, {time.Millisecond, 1}, {-1, 2}, {500 * time.Microsecond, 2}} {
		for _, workers := range []int{1, 16, 64} {
			b.Run(fmt.Sprintf("delay=%s/committers=%d/goroutines=%d", max(c.delay, 0), c.committers, workers), func(b *testing.B) {
				cfg := Config{Dir: b.TempDir(), SyncDelay: c.delay, Committers: c.committers, MaxBytes: 1 << 40}
				s, reg := openSpool(b, cfg)
				rec := payload("bench-1", 100)[:400]
				ctx := context.Background()
				b.ReportAllocs()
				b.SetBytes(int64(len(rec)))
				b.ResetTimer()
				var wg sync.WaitGroup
				per := b.N / workers
				for w := range workers {
					n := per
					if w == 0 {
						n += b.N % workers
					}
					wg.Go(func() {
						for range n {
							if err := s.Append(ctx, rec); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				b.StopTimer()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
				if syncs := metricValue(b, reg, "ashiato_spool_fsync_seconds"); syncs > 0 {
					b.ReportMetric(float64(b.N)/syncs, "records/fsync")
					b.ReportMetric(histogramSum(b, reg, "ashiato_spool_fsync_seconds")/syncs*1e6, "µs/fsync")
				}
			})
		}
	}
}

func BenchmarkAppendEvent(b *testing.B) {
	e := sampleEvent()
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendEvent(buf[:0], &e)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkDecodeEvent(b *testing.B) {
	e := sampleEvent()
	enc := AppendEvent(nil, &e)
	var out = e
	b.ReportAllocs()
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		if err := DecodeEvent(enc, &out); err != nil {
			b.Fatal(err)
		}
	}
}

// histogramSum returns the sum of the observations of a histogram in reg.
func histogramSum(tb testing.TB, reg *prometheus.Registry, name string) float64 {
	tb.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetHistogram().GetSampleSum()
		}
	}
	return 0
}
