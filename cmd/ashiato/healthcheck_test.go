package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHealthcheckCommand runs `ashiato healthcheck` (the container's
// HEALTHCHECK) against a server that answers /healthz: 200 exits 0,
// anything else or nobody listening exits 1; with no --url it asks the
// listen address, a wildcard host on 127.0.0.1.
func TestHealthcheckCommand(t *testing.T) {
	status := http.StatusOK
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		w.WriteHeader(status)
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	var stderr strings.Builder
	check := func(args ...string) int {
		return run(context.Background(), append([]string{"healthcheck"}, args...), io.Discard, &stderr)
	}
	if code := check("--listen", "0.0.0.0:"+port); code != 0 {
		t.Errorf("healthy collector on a wildcard listen address: exit %d\n%s", code, stderr.String())
	}
	if len(paths) != 1 || paths[0] != "/healthz" {
		t.Errorf("asked %v, want /healthz", paths)
	}
	status = http.StatusServiceUnavailable
	if code := check("--url", srv.URL+"/healthz"); code != 1 || !strings.Contains(stderr.String(), "503") {
		t.Errorf("503: exit %d, want 1 with the status\n%s", code, stderr.String())
	}
	srv.Close()
	if code := check("--url", srv.URL+"/healthz", "--timeout", "1s"); code != 1 {
		t.Errorf("nobody listening: exit %d, want 1", code)
	}
}

func TestLocalAddr(t *testing.T) {
	for in, want := range map[string]string{
		"0.0.0.0:8080":   "127.0.0.1:8080",
		":8080":          "127.0.0.1:8080",
		"[::]:8080":      "127.0.0.1:8080",
		"10.1.2.3:8080":  "10.1.2.3:8080",
		"localhost:9000": "localhost:9000",
	} {
		if got := localAddr(in); got != want {
			t.Errorf("localAddr(%q) = %q, want %q", in, got, want)
		}
	}
}
