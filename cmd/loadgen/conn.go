package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// Conn is a keep-alive HTTP/1.1 client connection that sends prepared
// request bytes and reads just enough of the answer (status, headers,
// Content-Length body) to send the next one. It costs the load generator
// far less CPU than net/http, which matters with server and load on the
// same two cores. It reconnects after an error or "Connection: close".
type Conn struct {
	Addr    string
	Timeout time.Duration
	c       net.Conn
	r       *bufio.Reader
}

// Do sends req and returns the response status.
func (c *Conn) Do(req []byte) (int, error) {
	status, _, err := c.DoBody(req)
	return status, err
}

// DoBody sends req and returns the response status and body; the body is
// valid until the next call (nil when longer than the read buffer).
func (c *Conn) DoBody(req []byte) (int, []byte, error) {
	if c.c == nil {
		nc, err := net.DialTimeout("tcp", c.Addr, 5*time.Second)
		if err != nil {
			return 0, nil, err
		}
		c.c = nc
		if c.r == nil {
			c.r = bufio.NewReaderSize(nc, 16<<10)
		} else {
			c.r.Reset(nc)
		}
	}
	if c.Timeout > 0 {
		_ = c.c.SetDeadline(time.Now().Add(c.Timeout))
	}
	status, body, keep, err := c.roundTrip(req)
	if err != nil || !keep {
		c.Close()
	}
	return status, body, err
}

func (c *Conn) roundTrip(req []byte) (status int, body []byte, keep bool, err error) {
	if _, err = c.c.Write(req); err != nil {
		return 0, nil, false, err
	}
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return 0, nil, false, err
	}
	// "HTTP/1.1 202 Accepted\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, nil, false, fmt.Errorf("bad status line %q", line)
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, false, fmt.Errorf("bad status line %q", line)
	}
	length, keep := -1, true
	for {
		h, err := c.r.ReadSlice('\n')
		if err != nil {
			return status, nil, false, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return status, nil, false, fmt.Errorf("bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Connection")):
			keep = !bytes.EqualFold(value, []byte("close"))
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return status, nil, false, errors.New("chunked responses are not supported")
		}
	}
	if length < 0 {
		// No length: the body runs to the end of the connection; a 204 has none.
		if status == 204 || status == 304 {
			return status, nil, keep, nil
		}
		_, _ = io.Copy(io.Discard, c.r)
		return status, nil, false, nil
	}
	if length <= c.r.Size() {
		if body, err = c.r.Peek(length); err != nil {
			return status, nil, false, err
		}
	}
	if _, err := c.r.Discard(length); err != nil {
		return status, nil, false, err
	}
	return status, body, keep, nil
}

// Close closes the connection; the next Do dials again.
func (c *Conn) Close() {
	if c.c != nil {
		_ = c.c.Close()
		c.c = nil
	}
}
