package main

// The load generator of the resilience tests, which remembers which events
// were acknowledged, and the exactly-once check of what ClickHouse holds.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/store"
)

// eventJSON is the event with client ID eid; its url_path is /e/<eid>, so
// that a stored row names the event it came from.
// A resend carries "retry":true, as the SDK's retry queue does: it tells the
// collector that an earlier copy may be stored.
func eventJSON(eid string, retry bool) string {
	if retry {
		return `{"site":"demo","url":"http://localhost/e/` + eid + `","eid":"` + eid + `","retry":true}`
	}
	return `{"site":"demo","url":"http://localhost/e/` + eid + `","eid":"` + eid + `"}`
}

// loadGen sends hits from several workers and remembers, per eid, what the
// collector answered.
type loadGen struct {
	url        func() string
	client     *http.Client
	prefix     string
	arrayEvery int           // every nth request of a worker is an array of 3 events; 0 = never
	retryEvery int           // every nth request resends an acknowledged eid; 0 = never
	pause      time.Duration // between the requests of a worker
	errPause   time.Duration // after a failed connection

	sent atomic.Int64 // requests sent

	mu        sync.Mutex
	acked     map[string]bool // eids answered 202
	inDoubt   map[string]bool // eids whose request got no answer, not acknowledged since
	refused   map[string]bool // eids answered with an error status, not acknowledged since
	statuses  map[int]int     // answers by status
	n202      int             // 202 answers, resends included
	resent202 int             // 202 answers to resends of acknowledged eids
	netErrs   int             // requests without an answer
	unsent    int             // requests refused at connect
	noRetry   int             // 429/503 answers without Retry-After
	problems  []string        // answers that break the contract
}

func newLoadGen(prefix string, url func() string, workers int) *loadGen {
	return &loadGen{
		url:      url,
		prefix:   prefix,
		errPause: 10 * time.Millisecond,
		client: &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{
			MaxIdleConnsPerHost: workers, DisableCompression: true, DialContext: dialNoSelf,
		}},
		acked: map[string]bool{}, inDoubt: map[string]bool{}, refused: map[string]bool{},
		statuses: map[int]int{},
	}
}

// dialNoSelf dials like net.Dialer, but refuses a TCP self-connection: a
// client that dials a port nobody listens on can be given that very port
// as its own, connect to itself, and so hold the port the collector is
// about to be restarted on.
func dialNoSelf(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err == nil && c.LocalAddr().String() == c.RemoteAddr().String() {
		c.Close()
		return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	return c, err
}

// run sends from workers goroutines until ctx ends or max requests are
// sent; it returns a function that waits for the workers.
func (g *loadGen) run(ctx context.Context, workers int, max int64) (wait func()) {
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []string // acknowledged eids of this worker
			for i := 1; ctx.Err() == nil && g.sent.Add(1) <= max; i++ {
				var eids []string
				resend := g.retryEvery > 0 && i%g.retryEvery == 0 && len(mine) > 0
				switch {
				case resend:
					eids = []string{mine[rand.IntN(len(mine))]}
				case g.arrayEvery > 0 && i%g.arrayEvery == 0:
					for k := range 3 {
						eids = append(eids, fmt.Sprintf("%s-w%d-%d-%d", g.prefix, w, i, k))
					}
				default:
					eids = []string{fmt.Sprintf("%s-w%d-%d", g.prefix, w, i)}
				}
				// The request in flight when ctx ends is completed, not cut.
				st, ok := g.send(context.Background(), eids, resend, resend)
				if ok {
					if !resend {
						mine = append(mine, eids...)
					}
				} else if st == 0 && ctx.Err() == nil {
					time.Sleep(g.errPause)
				}
				if g.pause > 0 {
					time.Sleep(g.pause)
				}
			}
		}()
	}
	return wg.Wait
}

// send posts the events eids in one request and records the answer. It
// returns the status (0 when there was no answer) and whether it was 202.
// resend says the eids were acknowledged before; retry marks the events as
// retries (resends, and resends of requests that got no answer).
func (g *loadGen) send(ctx context.Context, eids []string, resend, retry bool) (int, bool) {
	var body string
	if len(eids) == 1 {
		body = eventJSON(eids[0], retry)
	} else {
		parts := make([]string, len(eids))
		for i, e := range eids {
			parts[i] = eventJSON(e, retry)
		}
		body = "[" + strings.Join(parts, ",") + "]"
	}
	req, _ := http.NewRequestWithContext(ctx, "POST", g.url()+"/api/event", strings.NewReader(body))
	req.Header.Set("Content-Type", "text/plain")
	resp, err := g.client.Do(req)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			// Nothing was sent: the collector is down.
			g.mu.Lock()
			g.unsent++
			g.mu.Unlock()
			return 0, false
		}
		// No answer (cut or timed out): the events may or may not be
		// stored.
		g.record(eids, 0, "", "", resend)
		return 0, false
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	g.record(eids, resp.StatusCode, string(b), resp.Header.Get("Retry-After"), resend)
	return resp.StatusCode, resp.StatusCode == 202
}

func (g *loadGen) record(eids []string, status int, body, retryAfter string, resend bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch status {
	case 0:
		g.netErrs++
		for _, e := range eids {
			if !g.acked[e] {
				g.inDoubt[e] = true
			}
		}
		return
	case 202:
		g.n202++
		if resend {
			g.resent202++
		}
		var a struct {
			Accepted int `json:"accepted"`
		}
		if err := json.Unmarshal([]byte(body), &a); err != nil || a.Accepted != len(eids) {
			g.problems = append(g.problems, fmt.Sprintf("202 for %d events with body %s", len(eids), body))
			return
		}
		for _, e := range eids {
			g.acked[e] = true
			delete(g.inDoubt, e)
			delete(g.refused, e)
		}
	default:
		if (status == 429 || status == 503) && retryAfter == "" {
			g.noRetry++
		}
		for _, e := range eids {
			if !g.acked[e] {
				g.refused[e] = true
			}
		}
	}
	g.statuses[status]++
}

// resendInDoubt resends, one by one, every eid whose request got no
// answer, until each is acknowledged or the deadline passes: what a client
// does after a timeout. The eids whose resend was refused stay in doubt.
func (g *loadGen) resendInDoubt(t testing.TB, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		g.mu.Lock()
		var todo []string
		for e := range g.inDoubt {
			todo = append(todo, e)
		}
		g.mu.Unlock()
		if len(todo) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d events still unacknowledged after resending for %s", len(todo), d)
		}
		var wg sync.WaitGroup
		next := atomic.Int64{}
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := next.Add(1) - 1; i < int64(len(todo)); i = next.Add(1) - 1 {
					g.send(context.Background(), []string{todo[i]}, false, true)
				}
			}()
		}
		wg.Wait()
	}
}

// resendAcked resends n acknowledged eids (client retries) and returns how
// many of them were answered 202.
func (g *loadGen) resendAcked(n int) int {
	g.mu.Lock()
	var eids []string
	for e := range g.acked {
		if len(eids) == n {
			break
		}
		eids = append(eids, e)
	}
	g.mu.Unlock()
	ok := 0
	for _, e := range eids {
		if _, accepted := g.send(context.Background(), []string{e}, true, true); accepted {
			ok++
		}
	}
	return ok
}

// ackedSet returns a copy of the acknowledged eids.
func (g *loadGen) ackedSet() map[string]bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make(map[string]bool, len(g.acked))
	for e := range g.acked {
		out[e] = true
	}
	return out
}

func (g *loadGen) summary() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return fmt.Sprintf("requests %d, acknowledged eids %d, 202 answers %d (%d to resends), statuses %v, connection refused %d, no answer %d, in doubt %d, refused %d",
		g.sent.Load(), len(g.acked), g.n202, g.resent202, g.statuses, g.unsent, g.netErrs, len(g.inDoubt), len(g.refused))
}

// checkContract fails t when an answer broke the HTTP contract.
func (g *loadGen) checkContract(t testing.TB) {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.problems) > 0 {
		t.Errorf("%d answers broke the contract, e.g. %s", len(g.problems), g.problems[0])
	}
	if g.noRetry > 0 {
		t.Errorf("%d answers 429/503 without Retry-After", g.noRetry)
	}
}

// stored is what the events table holds.
type stored struct {
	rows, ids uint64
	eids      map[string]int // eid (from url_path /e/<eid>) → rows
}

func queryStored(t testing.TB, st *store.Store) stored {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var s stored
	if err := st.Conn.QueryRow(ctx, "SELECT count(), uniqExact(event_id) FROM "+st.Dialect.DB+".events").Scan(&s.rows, &s.ids); err != nil {
		t.Fatalf("count events: %v", err)
	}
	rows, err := st.Conn.Query(ctx, "SELECT url_path FROM "+st.Dialect.DB+".events")
	if err != nil {
		t.Fatalf("read events: %v", err)
	}
	defer rows.Close()
	s.eids = map[string]int{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		s.eids[strings.TrimPrefix(p, "/e/")]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

// waitStored polls until the table holds want rows and drained reports
// that the collector has nothing left to write, or d passes; it returns
// the final content.
func waitStored(t testing.TB, st *store.Store, want int, drained func() bool, d time.Duration) stored {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		var n uint64
		err := st.Conn.QueryRow(context.Background(), "SELECT count() FROM "+st.Dialect.DB+".events").Scan(&n)
		if err == nil && n >= uint64(want) && drained() {
			return queryStored(t, st)
		}
		if time.Now().After(deadline) {
			return queryStored(t, st)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkExactlyOnce fails t unless the table holds exactly one row per
// acknowledged eid and nothing else: count() = uniqExact(event_id) = the
// number of acknowledged events, every acknowledged eid present once.
func checkExactlyOnce(t testing.TB, s stored, acked map[string]bool, logs fmt.Stringer) {
	t.Helper()
	var missing, extra, dup []string
	for e := range acked {
		if s.eids[e] == 0 {
			missing = append(missing, e)
		}
	}
	for e, n := range s.eids {
		if !acked[e] {
			extra = append(extra, e)
		}
		if n > 1 {
			dup = append(dup, fmt.Sprintf("%s×%d", e, n))
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	slices.Sort(dup)
	first := func(s []string) []string { return s[:min(len(s), 10)] }
	ok := s.rows == s.ids && s.rows == uint64(len(acked)) && len(missing)+len(extra)+len(dup) == 0
	if !ok {
		t.Errorf("count() = %d, uniqExact(event_id) = %d, acknowledged events = %d\nmissing (acknowledged, not stored) %d: %v\nnot acknowledged but stored %d: %v\nduplicated %d: %v",
			s.rows, s.ids, len(acked), len(missing), first(missing), len(extra), first(extra), len(dup), first(dup))
		if logs != nil {
			l := logs.String()
			t.Logf("last collector logs:\n%s", l[max(0, len(l)-6000):])
		}
	}
}

// testMetricsToken opens /metrics on the public address of the collectors
// that tests start (--metrics-token).
const testMetricsToken = "test-metrics-token"

// metricsAuth is the header that carries testMetricsToken.
var metricsAuth = map[string]string{"Authorization": "Bearer " + testMetricsToken}

// metricValue reads one unlabelled metric from the /metrics page at base.
func metricValue(base, name string) (float64, error) {
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	req.Header.Set("Authorization", metricsAuth["Authorization"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, fmt.Errorf("metric %s not found", name)
}

// settle sends n more hits named prefix-more-i, each of which must get 202,
// checks the answers so far, resends the in-doubt eids and returns every
// acknowledged eid.
func (g *loadGen) settle(t testing.TB, prefix string, n int) map[string]bool {
	t.Helper()
	for i := range n {
		if st, _ := g.send(context.Background(), []string{prefix + "-more-" + strconv.Itoa(i)}, false, false); st != 202 {
			t.Fatalf("after recovery: hit answered %d\n%s", st, g.summary())
		}
	}
	g.checkContract(t)
	g.resendInDoubt(t, 30*time.Second)
	return g.ackedSet()
}
