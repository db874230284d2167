package main

import (
	"time"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/stats"
)

// now is Main's clock (Main.Now, or time.Now).
func (m *Main) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// statsEngine is the engine of the admin API's /stats/{report}: the same
// as `ashiato query` runs.
func (m *Main) statsEngine(site func(string) *collector.Site) *stats.Engine {
	return &stats.Engine{Conn: m.store.Conn, Dialect: m.store.Dialect, Site: site, Now: m.now, Log: m.Log}
}
