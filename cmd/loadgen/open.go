package main

import (
	"flag"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// OpenResult is the outcome of a constant-rate run.
type OpenResult struct {
	Rate        float64     `json:"rate"`
	Conns       int         `json:"conns"`        // connections opened (grows when all are busy)
	MaxConns    int         `json:"max_conns"`    // the most it may open
	Seconds     float64     `json:"seconds"`      // measured window (after warm-up)
	Sent        int         `json:"sent"`         // requests scheduled in the window
	Achieved    float64     `json:"achieved_rps"` // answered per second, window start to last answer
	Statuses    Statuses    `json:"statuses"`
	Errors      int         `json:"errors"`
	FirstError  string      `json:"first_error,omitempty"`
	NewUAShare  float64     `json:"new_ua_share"`
	Latency     Percentiles `json:"latency_ms"` // from the intended send time
	ServiceTime Percentiles `json:"service_ms"` // from the actual send time
}

// OpenOptions shape a constant-rate run.
type OpenOptions struct {
	Rate     float64       // requests per second
	Warmup   time.Duration // sent, not measured
	Duration time.Duration // measured
	MaxConns int           // connections may grow to this when all are busy
}

// openPart is what one connection's worker measured.
type openPart struct {
	lat, svc []time.Duration
	st       Statuses
	errs     int
	firstErr string
	new, tot int
	last     time.Time // last answer of a measured request
}

// RunOpen sends requests at a constant rate, open loop: request i is due
// at t0 + i/rate, and each connection, when free, claims the next due
// request and sends it at that moment. When the request a connection claims
// is already overdue, every connection was busy when it fell due, so
// another connection opens (up to MaxConns), as new visitors would. A
// request's latency counts from its due moment, so a stalled server is
// charged for the requests it held back (no coordinated omission);
// service_ms counts from the actual send. c.Conns connections are started
// up front.
//
// The connections claim their requests themselves (one atomic add) rather
// than take them from a scheduler goroutine: the generator shares the
// machine with the server, and the scheduler's timer and hand-over cost
// more CPU per request than the sending itself.
func RunOpen(c common, o OpenOptions) (OpenResult, error) {
	t, mix, err := c.setup()
	if err != nil {
		return OpenResult{}, err
	}
	maxConns := max(o.MaxConns, c.Conns)
	gap := time.Duration(float64(time.Second) / o.Rate)
	t0 := time.Now().Add(100 * time.Millisecond)
	measureFrom := t0.Add(o.Warmup)
	end := measureFrom.Add(o.Duration)

	var next atomic.Int64 // the next request to claim
	var mu sync.Mutex     // guards parts
	var parts []*openPart
	var wg sync.WaitGroup
	var spawn func()
	spawn = func() {
		p := &openPart{st: Statuses{}}
		mu.Lock()
		k := len(parts)
		if k >= maxConns {
			mu.Unlock()
			return
		}
		parts = append(parts, p)
		mu.Unlock()
		wg.Go(func() {
			g := NewGenerator(t, mix, c.Seed, uint64(k))
			conn := &Conn{Addr: t.Host, Timeout: c.Timeout}
			defer conn.Close()
			var req []byte
			for {
				due := t0.Add(time.Duration(next.Add(1)-1) * gap)
				if !due.Before(end) {
					break
				}
				if d := time.Until(due); d > 0 {
					time.Sleep(d)
				} else {
					spawn() // every connection was busy when it fell due
				}
				req = g.Append(req[:0])
				sent := time.Now()
				status, err := conn.Do(req)
				done := time.Now()
				if due.Before(measureFrom) {
					continue
				}
				if err != nil {
					p.errs++
					if p.firstErr == "" {
						p.firstErr = err.Error()
					}
				} else {
					p.st.add(status)
				}
				p.lat = append(p.lat, done.Sub(due))
				p.svc = append(p.svc, done.Sub(sent))
				p.last = done
			}
			p.new, p.tot = g.New, g.Total
		})
	}
	for range c.Conns {
		spawn()
	}
	wg.Wait()

	res := OpenResult{Rate: o.Rate, Conns: len(parts), MaxConns: maxConns, Seconds: o.Duration.Seconds(), Statuses: Statuses{}}
	var lat, svc []time.Duration
	var newUA, total int
	var last time.Time
	for _, p := range parts {
		lat = append(lat, p.lat...)
		svc = append(svc, p.svc...)
		res.Statuses.merge(p.st)
		res.Errors += p.errs
		if res.FirstError == "" {
			res.FirstError = p.firstErr
		}
		newUA += p.new
		total += p.tot
		if p.last.After(last) {
			last = p.last
		}
	}
	res.Sent = len(lat)
	if len(lat) > 0 {
		res.Achieved = float64(len(lat)) / last.Sub(measureFrom).Seconds()
	}
	if total > 0 {
		res.NewUAShare = float64(newUA) / float64(total)
	}
	res.Latency = Summarise(lat)
	res.ServiceTime = Summarise(svc)
	return res, nil
}

func runOpen(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("open", flag.ContinueOnError)
	var c common
	c.register(fs)
	var o OpenOptions
	fs.Float64Var(&o.Rate, "rate", 1000, "requests per second")
	fs.DurationVar(&o.Duration, "duration", 15*time.Second, "measured time")
	fs.DurationVar(&o.Warmup, "warmup", 2*time.Second, "unmeasured time before")
	fs.IntVar(&o.MaxConns, "max-conns", 1000, "most connections (more open when all are busy)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.Rate <= 0 {
		o.Rate = 1
	}
	res, err := RunOpen(c, o)
	if err != nil {
		return err
	}
	return writeJSON(out, res)
}
