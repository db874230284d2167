package spool

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the spool's Prometheus metrics.
type metrics struct {
	reg          prometheus.Registerer
	all          []prometheus.Collector
	fsyncSeconds prometheus.Histogram
	groupRecords prometheus.Histogram
	replayed     prometheus.Counter
	quarantined  prometheus.Counter
	truncated    prometheus.Counter
	appendErrors *prometheus.CounterVec
}

func newMetrics(s *Spool) *metrics {
	prefix := "ashiato_spool_"
	if s.cfg.Metrics != "" {
		prefix = "ashiato_" + s.cfg.Metrics + "_"
	}
	m := &metrics{
		fsyncSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    prefix + "fsync_seconds",
			Help:    "Latency of the fdatasync of each group commit.",
			Buckets: prometheus.ExponentialBuckets(50e-6, 2, 14), // 50µs .. 0.4s
		}),
		groupRecords: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    prefix + "group_commit_records",
			Help:    "Records written by each group commit (one write + fdatasync).",
			Buckets: prometheus.ExponentialBuckets(1, 2, 13), // 1 .. 4096
		}),
		replayed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: prefix + "replayed_records_total",
			Help: "Unconfirmed records found in the spool when it was opened.",
		}),
		quarantined: prometheus.NewCounter(prometheus.CounterOpts{
			Name: prefix + "quarantined_segments_total",
			Help: "Damaged segment files kept aside in the quarantine directory.",
		}),
		truncated: prometheus.NewCounter(prometheus.CounterOpts{
			Name: prefix + "truncated_bytes_total",
			Help: "Bytes of torn tails (unacknowledged writes cut by a crash) truncated on open.",
		}),
		appendErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: prefix + "append_errors_total",
			Help: "Records refused by Append, by reason: full (cap or disk full) or io.",
		}, []string{"reason"}),
	}
	m.appendErrors.WithLabelValues("full")
	m.appendErrors.WithLabelValues("io")
	gauge := func(name, help string, f func(Stats) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help},
			func() float64 { return f(s.Stats()) })
	}
	m.all = []prometheus.Collector{
		m.fsyncSeconds, m.groupRecords, m.replayed, m.quarantined, m.truncated, m.appendErrors,
		gauge(prefix+"bytes", "Unconfirmed record bytes in the spool.",
			func(st Stats) float64 { return float64(st.Bytes) }),
		gauge(prefix+"records", "Unconfirmed records in the spool.",
			func(st Stats) float64 { return float64(st.Records) }),
		gauge(prefix+"oldest_unconfirmed_seconds", "Age of the oldest unconfirmed record; 0 when there is none.",
			func(st Stats) float64 {
				if st.OldestUnconfirmed.IsZero() {
					return 0
				}
				return time.Since(st.OldestUnconfirmed).Seconds()
			}),
	}
	return m
}

// register registers the metrics on reg; a nil reg registers nothing.
func (m *metrics) register(reg prometheus.Registerer) error {
	if reg == nil {
		return nil
	}
	for i, c := range m.all {
		if err := reg.Register(c); err != nil {
			for _, c := range m.all[:i] {
				reg.Unregister(c)
			}
			return err
		}
	}
	m.reg = reg
	return nil
}

// unregister removes the metrics from the registry they were put in, so
// that a spool can be reopened with the same registry.
func (m *metrics) unregister() {
	if m.reg == nil {
		return
	}
	for _, c := range m.all {
		m.reg.Unregister(c)
	}
}
