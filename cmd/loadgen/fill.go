package main

import (
	"bytes"
	"flag"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// FillResult is the outcome of a closed-loop run.
type FillResult struct {
	Requests   int      `json:"requests"`
	Events     int      `json:"events"`   // events sent
	Accepted   int      `json:"accepted"` // events the 202 answers vouched for
	Statuses   Statuses `json:"statuses"`
	Errors     int      `json:"errors"`
	FirstError string   `json:"first_error,omitempty"`
	Seconds    float64  `json:"seconds"`
	RPS        float64  `json:"rps"`
	EventsPS   float64  `json:"events_per_s"`
	NewUAShare float64  `json:"new_ua_share"`
}

// FillOptions says what a closed-loop run sends.
type FillOptions struct {
	Requests int  // requests to send (ignored with EachUA)
	Batch    int  // events per request
	EachUA   bool // one request per corpus User-Agent, in list order (warms a UA cache)
}

// RunFill sends requests over c.Conns connections, each sending its next
// request as soon as the previous one is answered.
func RunFill(c common, o FillOptions) (FillResult, error) {
	t, mix, err := c.setup()
	if err != nil {
		return FillResult{}, err
	}
	n := o.Requests
	if o.EachUA {
		n = len(mix.UAs)
	}
	batch := max(o.Batch, 1)
	var next atomic.Int64
	var mu sync.Mutex
	res := FillResult{Statuses: Statuses{}}
	var newUA int
	start := time.Now()
	var wg sync.WaitGroup
	for k := range c.Conns {
		wg.Go(func() {
			st := Statuses{}
			var errs, accepted int
			var firstErr string
			g := NewGenerator(t, mix, c.Seed, uint64(k))
			conn := &Conn{Addr: t.Host, Timeout: c.Timeout}
			defer conn.Close()
			var req []byte
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					break
				}
				ua := ""
				if o.EachUA {
					ua = mix.UAs[i]
				}
				req = g.Request(req[:0], batch, ua)
				status, body, err := conn.DoBody(req)
				if err != nil {
					errs++
					if firstErr == "" {
						firstErr = err.Error()
					}
					continue
				}
				st.add(status)
				if status == 202 {
					accepted += acceptedCount(body, batch)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			res.Statuses.merge(st)
			res.Errors += errs
			res.Accepted += accepted
			if res.FirstError == "" {
				res.FirstError = firstErr
			}
			newUA += g.New
			res.Requests += g.Total
		})
	}
	wg.Wait()
	res.Seconds = time.Since(start).Seconds()
	res.Events = res.Requests * batch
	res.RPS = float64(res.Requests) / res.Seconds
	res.EventsPS = float64(res.Events) / res.Seconds
	if res.Requests > 0 {
		res.NewUAShare = float64(newUA) / float64(res.Requests)
	}
	return res, nil
}

// acceptedCount reads "accepted":N from a 202 body (docs/HTTP-API.md);
// without a readable body it assumes all events were.
func acceptedCount(body []byte, events int) int {
	const key = `"accepted":`
	i := bytes.Index(body, []byte(key))
	if i < 0 {
		return events
	}
	rest := body[i+len(key):]
	j := 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(string(rest[:j]))
	if err != nil {
		return events
	}
	return n
}

func runFill(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("fill", flag.ContinueOnError)
	var c common
	c.register(fs)
	var o FillOptions
	fs.IntVar(&o.Requests, "n", 100000, "requests to send")
	fs.IntVar(&o.Batch, "batch", 1, "events per request (a JSON array when > 1; at most 50)")
	fs.BoolVar(&o.EachUA, "each-ua", false, "send one request per corpus User-Agent instead of -n (cache warm-up)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	res, err := RunFill(c, o)
	if err != nil {
		return err
	}
	return writeJSON(out, res)
}
