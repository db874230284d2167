package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// clientFrom returns an HTTP client whose connections come from the
// loopback address ip (127.0.0.0/8 is all loopback), another client
// address on the same machine.
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}

// dialFrom opens a raw connection from ip and writes a request's first
// header lines, never finishing it (a slow client).
func dialFrom(t testing.TB, ip, addr string) net.Conn {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial from %s: %v", ip, err)
	}
	io.WriteString(c, "POST /api/event HTTP/1.1\r\nHost: x\r\nX-Slow: ")
	t.Cleanup(func() { c.Close() })
	return c
}

// refusedNow reports whether the server answered c with 503 at once.
func refusedNow(c net.Conn) bool {
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	b := make([]byte, 64)
	n, _ := c.Read(b)
	return strings.HasPrefix(string(b[:n]), "HTTP/1.1 503")
}

// TestConnectionFairness: one address cannot hold more than its share of
// the connections (the rest are refused with 503 at once), and when slow
// clients of several addresses hold every connection, the slowest are
// closed to serve a new client.
func TestConnectionFairness(t *testing.T) {
	const maxConns, perIP = 60, 20
	cfg := writeFile(t, "ashiato.yaml", fmt.Sprintf("server:\n  read_timeout: 30s\n  idle_timeout: 30s\n  max_conns: %d\n  max_conns_per_ip: %d\n", maxConns, perIP))
	ts := startServer(t, "--config", cfg, "--log-level", "info")
	hit := func(ip string) int {
		resp, err := clientFrom(ip).Post(ts.URL+"/api/event", "text/plain", strings.NewReader(`{"site":"demo","url":"http://localhost/fair"}`))
		if err != nil {
			t.Fatalf("hit from %s: %v", ip, err)
		}
		defer resp.Body.Close()
		return resp.StatusCode
	}
	// One address opens twice its share of slow connections.
	refused := 0
	for range 2 * perIP {
		if refusedNow(dialFrom(t, "127.0.0.2", ts.Addr)) {
			refused++
		}
	}
	if refused != perIP {
		t.Errorf("%d of %d connections of one address refused, want %d (max_conns_per_ip %d)", refused, 2*perIP, perIP, perIP)
	}
	if st := hit("127.0.0.5"); st != 202 {
		t.Fatalf("another client while one address holds its share: %d", st)
	}
	// Two more addresses fill every connection with slow clients.
	for _, ip := range []string{"127.0.0.3", "127.0.0.4"} {
		for range perIP {
			dialFrom(t, ip, ts.Addr)
		}
	}
	time.Sleep(evictAfter + 200*time.Millisecond)
	for i := range 5 {
		if st := hit(fmt.Sprintf("127.0.0.%d", 10+i)); st != 202 {
			t.Errorf("client %d while slow clients hold every connection: %d, want 202", i, st)
		}
	}
	ts.waitCount(t, "url_path = '/fair'", 6)
}
