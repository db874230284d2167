package ingest

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the ingest stage's Prometheus metrics.
type Metrics struct {
	accepted prometheus.Counter
	dropped  prometheus.Counter
	rejected *prometheus.CounterVec
}

// NewMetrics registers the ingest metrics on reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		accepted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ashiato_hits_accepted_total", Help: "Events accepted and safely handed to the spool.",
		}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ashiato_hits_dropped_anonymous_total", Help: "Events accepted but not kept because the site drops anonymous hits.",
		}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ashiato_hits_rejected_total", Help: "Events rejected, by machine-readable reason.",
		}, []string{"reason"}),
	}
	if reg != nil {
		reg.MustRegister(m.accepted, m.dropped, m.rejected)
	}
	return m
}

func (m *Metrics) reject(reason string, n int) {
	m.rejected.WithLabelValues(reason).Add(float64(n))
}
