package batch

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	rows          prometheus.Counter
	duplicates    prometheus.Counter
	suppressed    prometheus.Counter
	undecodable   prometheus.Counter
	errors        prometheus.Counter
	insertSeconds prometheus.Histogram
	batchRows     prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		rows:        prometheus.NewCounter(prometheus.CounterOpts{Name: "ashiato_writer_rows_total", Help: "Rows written to ClickHouse."}),
		duplicates:  prometheus.NewCounter(prometheus.CounterOpts{Name: "ashiato_writer_duplicates_total", Help: "Events not written because they were already stored (retries, replays)."}),
		suppressed:  prometheus.NewCounter(prometheus.CounterOpts{Name: "ashiato_writer_suppressed_total", Help: "Events dropped before the store (erased subjects)."}),
		undecodable: prometheus.NewCounter(prometheus.CounterOpts{Name: "ashiato_writer_undecodable_total", Help: "Spool records that could not be decoded."}),
		errors:      prometheus.NewCounter(prometheus.CounterOpts{Name: "ashiato_writer_insert_errors_total", Help: "Failed inserts (retried)."}),
		insertSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "ashiato_writer_insert_seconds", Help: "Latency of one batch insert.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
		}),
		batchRows: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "ashiato_writer_batch_rows", Help: "Rows per insert.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 10),
		}),
	}
	if reg != nil {
		reg.MustRegister(m.rows, m.duplicates, m.suppressed, m.undecodable, m.errors, m.insertSeconds, m.batchRows)
	}
	return m
}
