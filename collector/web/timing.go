package web

import (
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// Timing is the middleware that times every request into the histogram
// ashiato_http_request_duration_seconds{route, code}: route is the matched
// route's pattern ("/api/event", "/admin/api/stats/:report"; "unmatched"
// for a request no route took, so that scanners cannot grow the label
// set) and code the status class, 2xx to 5xx. Errors are answered first
// (by the app's error handler) so that their status counts. Once a route's
// observers exist, a request allocates nothing here.
type Timing struct {
	hist   *prometheus.HistogramVec
	mu     sync.RWMutex
	routes map[string]*[6]prometheus.Observer // by route, then status class 0..5
}

// NewTiming registers the histogram on reg (nil: not registered).
func NewTiming(reg prometheus.Registerer) *Timing {
	t := &Timing{
		hist: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ashiato_http_request_duration_seconds",
			Help: "Time from the request read to the answer written, by route pattern and status class.",
			// 100µs to about 3.3 s: the hit path answers in well under a
			// millisecond, admin reports in up to seconds.
			Buckets: prometheus.ExponentialBuckets(100e-6, 2, 16),
		}, []string{"route", "code"}),
		routes: map[string]*[6]prometheus.Observer{},
	}
	if reg != nil {
		reg.MustRegister(t.hist)
	}
	return t
}

// unmatched is the route label of requests that no route served.
const unmatched = "unmatched"

var classes = [6]string{"1xx", "1xx", "2xx", "3xx", "4xx", "5xx"}

// Handler is the middleware; mount it first.
func (t *Timing) Handler(c *fiber.Ctx) error {
	start := time.Now()
	route := unmatched
	err := c.Next()
	// The router answers fiber.ErrNotFound when no route matched (the
	// collector's endpoints answer their own 404s).
	if fe, ok := err.(*fiber.Error); !ok || fe.Code != fiber.StatusNotFound {
		route = c.Route().Path
	}
	if err != nil {
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}
	class := min(max(c.Response().StatusCode()/100, 1), 5)
	t.observers(route)[class].Observe(time.Since(start).Seconds())
	return nil
}

// observers returns the observers of route, creating them on first use.
func (t *Timing) observers(route string) *[6]prometheus.Observer {
	t.mu.RLock()
	o := t.routes[route]
	t.mu.RUnlock()
	if o != nil {
		return o
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if o = t.routes[route]; o == nil {
		o = new([6]prometheus.Observer)
		for i, cl := range classes {
			o[i] = t.hist.WithLabelValues(route, cl)
		}
		t.routes[route] = o
	}
	return o
}
