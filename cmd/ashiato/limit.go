package main

import (
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ashiato/ashiato/collector/ingest"
)

// limitListener caps concurrent connections. Connections above the cap are
// answered at once with 503 and Retry-After, as the HTTP contract promises
// (fasthttp's own refusal carries no Retry-After), and closed.
type limitListener struct {
	net.Listener
	max    int64
	active atomic.Int64
}

func newLimitListener(ln net.Listener, max int) *limitListener {
	return &limitListener{Listener: ln, max: int64(max)}
}

// refusal is the whole answer to a connection over the cap.
var refusal = func() []byte {
	body := `{"error":"overloaded","reason":"too many connections, retry later"}`
	return []byte("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n" +
		"Retry-After: " + strconv.Itoa(ingest.RetryAfter) + "\r\nConnection: close\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
}()

// Accept returns the next connection within the cap.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.active.Add(1) > l.max {
			l.active.Add(-1)
			go refuse(c)
			continue
		}
		return &countedConn{Conn: c, l: l}, nil
	}
}

func refuse(c net.Conn) {
	c.SetDeadline(time.Now().Add(time.Second))
	c.Write(refusal)
	c.Close()
}

type countedConn struct {
	net.Conn
	l    *limitListener
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.l.active.Add(-1) })
	return c.Conn.Close()
}
