package main

import (
	"encoding/json"
	"net/http"
	"net/http/pprof"
	"runtime"
)

// startDebug serves Go's pprof endpoints (/debug/pprof/) and the UA
// enricher's counters (/debug/enrich) on a separate listener, when
// debug_listen is set. Bind it to loopback: profiles are for operators.
func (m *Main) startDebug(addr string) error {
	if addr == "" {
		return nil
	}
	// Sample allocations finely enough that small per-request ones show.
	runtime.MemProfileRate = 16 << 10
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/enrich", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(m.enricher.Stats())
	})
	srv, bound, err := serveSide(addr, mux)
	if err != nil {
		return err
	}
	m.debug, m.DebugAddr = srv, bound
	m.Log.Info("debug listening", "debug_addr", bound)
	return nil
}
