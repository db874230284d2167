package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/stats"
	"github.com/ashiato/ashiato/collector/store"
)

// statsEngine is the engine of the admin API's /stats/{report}: the same
// as `ashiato query` runs.
func (m *Main) statsEngine(site func(string) *collector.Site) *stats.Engine {
	fresh := 5 * time.Second
	if m.freshFor != 0 {
		fresh = max(m.freshFor, 0)
	}
	eng := &stats.Engine{Site: site, Now: m.now, Log: m.Log, Rollup: true, FreshFor: fresh}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	onStore(ctx, eng, m.store)
	return eng
}

// onStore points eng at st's server: its connection, its dialect and its
// threads (a totals statement takes half of them).
func onStore(ctx context.Context, eng *stats.Engine, st *store.Store) {
	eng.Conn, eng.Dialect, eng.Threads = st.Conn, st.Dialect, st.MaxThreads(ctx)
}

// archived gives eng the archive of the sites' default views when
// stats_archive.every is set (serve keeps it: Main.Run) and returns eng.
func (m *Main) archived(eng *stats.Engine, sites func() []*collector.Site) *stats.Engine {
	if a := m.Config.StatsArchive; a.Every > 0 {
		eng.Archive = &stats.Archive{Engine: eng, Sites: sites, Every: a.Every, MinVisits: a.MinVisits, Log: m.Log}
		m.archive = eng.Archive
		counter := func(name, help string, v func() int64) prometheus.CounterFunc {
			return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(v()) })
		}
		m.reg.MustRegister(
			counter("ashiato_stats_archive_served_total", "Stats answers given from the archive of the sites' default views.", eng.Archive.Served.Load),
			counter("ashiato_stats_archive_refreshed_total", "Default views computed ahead.", eng.Archive.Refreshed.Load),
			counter("ashiato_stats_archive_failed_total", "Default views whose computation failed (their questions were answered live).", eng.Archive.Failed.Load),
		)
	}
	return eng
}
