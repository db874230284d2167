package ledger

import "github.com/prometheus/client_golang/prometheus"

// metrics are the consent path's counters (the consent spool has its own,
// ashiato_consent_spool_*).
type metrics struct {
	reg         prometheus.Registerer
	all         []prometheus.Collector
	decisions   *prometheus.CounterVec
	failed      *prometheus.CounterVec
	written     prometheus.Counter
	duplicates  prometheus.Counter
	errors      prometheus.Counter
	undecodable prometheus.Counter
}

func newMetrics(reg prometheus.Registerer, l *Ledger) *metrics {
	m := &metrics{
		reg: reg,
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ashiato_consent_decisions_total",
			Help: "Consent decisions recorded (on disk in the consent spool, answered 200), by method.",
		}, []string{"method"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ashiato_consent_decisions_failed_total",
			Help: "Consent decisions refused because they could not be spooled, by reason: full or io.",
		}, []string{"reason"}),
		written: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ashiato_consent_ledger_written_total", Help: "Consent decisions written to consent_log.",
		}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ashiato_consent_ledger_duplicates_total", Help: "Replayed consent decisions not written again: already in consent_log.",
		}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ashiato_consent_ledger_insert_errors_total", Help: "Failed consent ledger batches (retried).",
		}),
		undecodable: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ashiato_consent_ledger_undecodable_total", Help: "Consent spool records that could not be decoded.",
		}),
	}
	for _, r := range []string{"full", "io"} {
		m.failed.WithLabelValues(r)
	}
	pendingGauge := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ashiato_consent_pending_decisions", Help: "Consent decisions recorded and not yet in consent_log.",
	}, func() float64 { return float64(l.pending.len()) })
	m.all = []prometheus.Collector{m.decisions, m.failed, m.written, m.duplicates, m.errors, m.undecodable, pendingGauge}
	if reg != nil {
		for _, c := range m.all {
			reg.MustRegister(c)
		}
	}
	return m
}

func (m *metrics) unregister() {
	if m.reg == nil {
		return
	}
	for _, c := range m.all {
		m.reg.Unregister(c)
	}
}
