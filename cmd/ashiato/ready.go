package main

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ashiato/ashiato/collector/web"
)

// registerOps mounts the operations endpoints. Readiness (/readyz) is
// "can accept and durably spool hits": the spool is writable and the
// collector is not stopping. ClickHouse does not take part in it — while
// ClickHouse is down the spool holds the hits, which is what it is for —
// but has its own check, /readyz/clickhouse, and the gauge
// ashiato_clickhouse_up.
func (m *Main) registerOps(metricsToken string) {
	ready := map[string]web.Check{
		"spool": func(context.Context) error { return m.spool.Writable() },
		"stopping": func(context.Context) error {
			if m.stopping.Load() {
				return errors.New("shutting down")
			}
			return nil
		},
	}
	clickhouse := map[string]web.Check{
		"clickhouse": m.store.Ping,
		"writer": func(context.Context) error {
			if !m.writer.Healthy() {
				return errors.New("inserts are failing; events wait in the spool")
			}
			return nil
		},
		"salt": func(context.Context) error {
			if !m.salter.Ready() {
				return errors.New("no salt for today")
			}
			return nil
		},
	}
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ashiato_clickhouse_up",
		Help: "1 when ClickHouse answered a ping at this scrape (1 s timeout) and the last insert succeeded, else 0.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if m.store.Ping(ctx) != nil || !m.writer.Healthy() {
			return 0
		}
		return 1
	}))
	web.RegisterOps(m.app, m.reg, ready, clickhouse, metricsToken)
}
