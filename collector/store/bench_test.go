package store_test

import (
	"context"
	"testing"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/store/chtest"
)

// BenchmarkInsertEvents measures one insert of 5,000 realistic rows into
// the real ClickHouse server: the client's column encoding and the
// server's work (both run on this machine). Set ASHIATO_TEST_CLICKHOUSE_DSN.
func BenchmarkInsertEvents(b *testing.B) {
	st := chtest.New(b)
	evs := make([]collector.Event, 5000)
	for i := range evs {
		evs[i] = sampleEvent("bench")
		evs[i].Title = "商品一覧 | デモショップ"
		evs[i].URLPath = "/products/123"
		evs[i].Purposes = []string{"necessary", "analytics"}
		evs[i].PropKeys = []string{"plan", "ab", "logged_in"}
		evs[i].PropValues = []string{"pro", "a", "false"}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := st.InsertEvents(context.Background(), evs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(evs)), "µs/row")
}
