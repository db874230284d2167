package main

import (
	"net"
	"net/http"
	"time"

	"github.com/ashiato/ashiato/collector/web"
)

// startMetrics serves /metrics on its own listener when metrics_listen is
// set, so that the public address never shows the collector's internals.
// Bind it to loopback or an internal network.
func (m *Main) startMetrics(addr string) error {
	if addr == "" {
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", web.MetricsHandler(m.reg))
	srv, bound, err := serveSide(addr, mux)
	if err != nil {
		return err
	}
	m.metrics, m.MetricsAddr = srv, bound
	return nil
}

// serveSide serves h on a listener of its own at addr (the debug and
// metrics listeners) and returns the server and the bound address.
func serveSide(addr string, h http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return srv, ln.Addr().String(), nil
}
