package main

import (
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/ashiato/ashiato/collector/ingest"
)

// limitListener caps concurrent connections, in all and per client
// address. A connection over the per-address cap is answered at once with
// 503 and Retry-After (fasthttp's own refusal carries no Retry-After) and
// closed. At the overall cap, the connection that has waited longest
// without a request in progress (a slow client still sending its headers,
// or an idle keep-alive) is closed to make room, once it has waited
// evictAfter; only when there is none is the new one refused. So one
// address cannot hold every connection, and slow clients cannot starve
// the others. Trusted proxies have no per-address cap: every visitor
// behind them shares their address.
type limitListener struct {
	net.Listener
	max, perAddr int
	trusted      func(netip.Addr) bool

	mu     sync.Mutex
	conns  map[*countedConn]struct{}
	byAddr map[netip.Addr]int
}

// evictAfter is how long a connection must have been waiting for (or
// slowly sending) a request before it may be closed to make room.
const evictAfter = 500 * time.Millisecond

func newLimitListener(ln net.Listener, max, perAddr int, trusted func(netip.Addr) bool) *limitListener {
	if perAddr <= 0 || perAddr > max {
		perAddr = max
	}
	return &limitListener{Listener: ln, max: max, perAddr: perAddr, trusted: trusted,
		conns: map[*countedConn]struct{}{}, byAddr: map[netip.Addr]int{}}
}

// refusal is the whole answer to a connection over the cap.
var refusal = func() []byte {
	body := `{"error":"overloaded","reason":"too many connections, retry later"}`
	return []byte("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n" +
		"Retry-After: " + strconv.Itoa(ingest.RetryAfter) + "\r\nConnection: close\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
}()

// Accept returns the next connection within the caps.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if cc := l.admit(c); cc != nil {
			return cc, nil
		}
		go refuse(c)
	}
}

// admit counts c in, making room if needed; nil means refuse it.
func (l *limitListener) admit(c net.Conn) *countedConn {
	addr := peerAddr(c)
	l.mu.Lock()
	defer l.mu.Unlock()
	capped := !(l.trusted != nil && l.trusted(addr))
	if capped && l.byAddr[addr] >= l.perAddr {
		return nil
	}
	if len(l.conns) >= l.max {
		victim := l.victim()
		if victim == nil {
			return nil
		}
		l.forget(victim)
		go victim.Conn.Close() // its server goroutine ends on the read error
	}
	cc := &countedConn{Conn: c, l: l, addr: addr}
	cc.setState(fasthttp.StateNew)
	l.conns[cc] = struct{}{}
	l.byAddr[addr]++
	return cc
}

// victim returns the connection that has waited longest without a handler
// running (for a request's bytes, or idle), if it has waited at least
// evictAfter. l.mu is held.
func (l *limitListener) victim() *countedConn {
	var best *countedConn
	var bestSince int64
	limit := time.Now().Add(-evictAfter).UnixNano()
	for c := range l.conns {
		if fasthttp.ConnState(c.state.Load()) == stateServing {
			continue
		}
		if s := c.since.Load(); s <= limit && (best == nil || s < bestSince) {
			best, bestSince = c, s
		}
	}
	return best
}

// forget removes c from the counts. l.mu is held.
func (l *limitListener) forget(c *countedConn) {
	if _, ok := l.conns[c]; !ok {
		return
	}
	delete(l.conns, c)
	if l.byAddr[c.addr]--; l.byAddr[c.addr] <= 0 {
		delete(l.byAddr, c.addr)
	}
}

// stateServing marks a connection whose request a handler is serving
// (markServing). fasthttp's own StateActive starts at a request's first
// byte, so a slow client still sending its headers is "active" there.
const stateServing = fasthttp.ConnState(100)

// connState is the server's ConnState hook: it keeps each connection's
// state (new, active = receiving a request, idle) and since when.
func connState(nc net.Conn, st fasthttp.ConnState) {
	if c, ok := nc.(*countedConn); ok {
		c.setState(st)
	}
}

// markServing is the app's first middleware: the request is complete and a
// handler serves it, so its connection is not slow and is never closed to
// make room. fasthttp sets the state to idle once the answer is written.
func markServing(c *fiber.Ctx) error {
	if cc, ok := c.Context().Conn().(*countedConn); ok {
		cc.setState(stateServing)
	}
	return c.Next()
}

func peerAddr(c net.Conn) netip.Addr {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		ip, _ := netip.AddrFromSlice(a.IP)
		return ip.Unmap()
	}
	return netip.Addr{}
}

func refuse(c net.Conn) {
	c.SetDeadline(time.Now().Add(time.Second))
	c.Write(refusal)
	c.Close()
}

// countedConn is a connection counted by its limitListener.
type countedConn struct {
	net.Conn
	l     *limitListener
	addr  netip.Addr
	state atomic.Int32 // fasthttp.ConnState
	since atomic.Int64 // unix ns of the last state change
	once  sync.Once
}

func (c *countedConn) setState(st fasthttp.ConnState) {
	c.state.Store(int32(st))
	c.since.Store(time.Now().UnixNano())
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.forget(c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}
