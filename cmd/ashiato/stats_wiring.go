package main

import (
	"time"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/stats"
)

// statsEngine is the engine of the admin API's /stats/{report}: the same
// as `ashiato query` runs.
func (m *Main) statsEngine(site func(string) *collector.Site) *stats.Engine {
	fresh := 5 * time.Second
	if m.freshFor != 0 {
		fresh = max(m.freshFor, 0)
	}
	return &stats.Engine{Conn: m.store.Conn, Dialect: m.store.Dialect, Site: site, Now: m.now, Log: m.Log, Rollup: true, FreshFor: fresh}
}
