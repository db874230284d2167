package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSlowClients attacks the collector with slow clients while normal
// clients send hits. Slowloris connections trickle a header byte by byte
// and reconnect when cut; others declare a body and stall in it; others
// declare a body far above the limit. It shows that (a) the read timeout
// cuts every slow connection and none is answered 2xx, (b) meanwhile every
// normal hit is answered 202 and stored, (c) memory and goroutines stay
// bounded, and (d) connections beyond the cap are refused at once, and the
// collector serves normally again once the slow ones are cut.
func TestSlowClients(t *testing.T) {
	const (
		readTimeout = time.Second
		maxConns    = 150
	)
	cfg := writeFile(t, "ashiato.yaml", fmt.Sprintf("server:\n  read_timeout: %s\n  write_timeout: 2s\n  idle_timeout: 2s\n  max_conns: %d\n", readTimeout, maxConns))
	ts := startServer(t, "--config", cfg, "--rate-per-ip", "0", "--log-level", "info")
	addr := ts.Addr

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	baseHeap, baseG := ms.HeapInuse, runtime.NumGoroutine()

	var mu sync.Mutex
	answers := map[string]int{} // status line of what the server wrote to a slow client → count
	var cuts atomic.Int64
	var longest atomic.Int64
	attack := func(ctx context.Context, first string, trickle bool) {
		for ctx.Err() == nil {
			sc, err := dialSlow(addr, first)
			if err != nil {
				time.Sleep(20 * time.Millisecond)
				continue
			}
			if trickle {
				go func() {
					for {
						select {
						case <-sc.closed:
							return
						case <-time.After(100 * time.Millisecond):
						}
						if _, err := sc.c.Write([]byte("a")); err != nil {
							return
						}
					}
				}()
			}
			cut := func() {
				life := time.Since(sc.start)
				cuts.Add(1)
				mu.Lock()
				answers[statusLine(sc.answer)]++
				mu.Unlock()
				for l := longest.Load(); int64(life) > l && !longest.CompareAndSwap(l, int64(life)); l = longest.Load() {
				}
			}
			select {
			case <-sc.closed:
				cut()
				time.Sleep(20 * time.Millisecond)
			case <-ctx.Done():
				// The attack ends; the server must still cut the
				// connection.
				select {
				case <-sc.closed:
					cut()
				case <-time.After(10 * readTimeout):
					mu.Lock()
					answers["never cut"]++
					mu.Unlock()
				}
				sc.c.Close()
				return
			}
		}
	}

	// Phase 1: 100 slowloris, 20 stalled bodies, 5 oversized declarations,
	// for 4 s, while normal clients send hits.
	const slowloris, stalled, oversized = 100, 20, 5
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	hdr := "POST /api/event HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: text/plain\r\n"
	for range slowloris {
		wg.Add(1)
		go func() { defer wg.Done(); attack(ctx, hdr+"X-Slow: ", true) }()
	}
	for range stalled {
		wg.Add(1)
		go func() {
			defer wg.Done()
			attack(ctx, hdr+"Content-Length: 60000\r\n\r\n"+`{"site":"demo","url":"http://localhost/stall",`, false)
		}()
	}
	for range oversized {
		wg.Add(1)
		go func() { defer wg.Done(); attack(ctx, hdr+"Content-Length: 1073741824\r\n\r\n{", false) }()
	}
	var maxHeap uint64
	var maxG int
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for ctx.Err() == nil {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			maxHeap = max(maxHeap, ms.HeapInuse)
			maxG = max(maxG, runtime.NumGoroutine())
			time.Sleep(100 * time.Millisecond)
		}
	}()
	// Normal clients during the attack.
	g := newLoadGen("slow", func() string { return ts.URL }, 2)
	g.pause = 10 * time.Millisecond
	g.run(ctx, 2, 100000)()
	wg.Wait()
	<-sampled

	mu.Lock()
	t.Logf("phase 1: %d slow connections cut, longest lived %s; answers to slow clients %v; heap in use %d → %d MiB, goroutines %d → %d; normal clients: %s",
		cuts.Load(), time.Duration(longest.Load()).Round(time.Millisecond), answers, baseHeap>>20, maxHeap>>20, baseG, maxG, g.summary())
	for a, n := range answers {
		if a == "never cut" || strings.HasPrefix(a, "HTTP/1.1 2") {
			t.Errorf("%d slow connections: %s", n, a)
		}
		if strings.HasPrefix(a, "HTTP/1.1 500") {
			t.Errorf("%d slow connections answered %q instead of 408", n, a)
		}
	}
	mu.Unlock()
	// Every connection of every slow client was cut: by the read timeout,
	// the oversized ones at once.
	if n := cuts.Load(); n < slowloris+stalled+oversized {
		t.Errorf("only %d slow connections were cut; want at least one per slow client, %d", n, slowloris+stalled+oversized)
	}
	if l := time.Duration(longest.Load()); l > 10*readTimeout {
		t.Errorf("a slow connection lived %s, read timeout %s", l, readTimeout)
	}
	if maxHeap > baseHeap+64<<20 {
		t.Errorf("heap in use grew from %d to %d MiB under the attack", baseHeap>>20, maxHeap>>20)
	}
	if maxG > baseG+2*maxConns+500 {
		t.Errorf("goroutines grew from %d to %d under the attack", baseG, maxG)
	}
	g.mu.Lock()
	if g.statuses[202] < 20 || len(g.statuses) != 1 || g.netErrs+g.unsent > 0 {
		t.Errorf("normal clients during the attack: %v, %d without answer; want only 202", g.statuses, g.netErrs+g.unsent)
	}
	g.mu.Unlock()

	// Phase 2: more idle connections than the cap. Those beyond it are
	// refused at once; the others are cut by the read timeout.
	const flood = maxConns + 50
	conns := make([]*slowConn, 0, flood)
	for range flood {
		sc, err := dialSlow(addr, "")
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		conns = append(conns, sc)
	}
	refused, cut := 0, 0
	var lines = map[string]int{}
	for _, sc := range conns {
		select {
		case <-sc.closed:
		case <-time.After(10 * readTimeout):
			t.Fatalf("an idle connection was not cut within %s", 10*readTimeout)
		}
		if strings.HasPrefix(sc.answer, "HTTP/1.1 503") {
			if !strings.Contains(sc.answer, "Retry-After: ") {
				t.Errorf("a connection over the cap was refused without Retry-After:\n%s", sc.answer)
			}
			if refused == 0 {
				t.Logf("a refused connection was answered:\n%s", sc.answer)
			}
			refused++
		} else {
			cut++
		}
		lines[statusLine(sc.answer)]++
		sc.c.Close()
	}
	t.Logf("phase 2: %d idle connections, cap %d: %d refused with 503, %d cut by the timeout; answers %v", flood, maxConns, refused, cut, lines)
	if refused < flood-maxConns-10 {
		t.Errorf("%d of %d connections refused with a cap of %d", refused, flood, maxConns)
	}

	// Afterwards: normal service, and the normal hits are stored.
	for i := range 20 {
		if st, _ := g.send(context.Background(), []string{fmt.Sprintf("slow-after-%d", i)}, false, false); st != 202 {
			t.Fatalf("after the attack: hit answered %d", st)
		}
	}
	acked := g.ackedSet()
	s := waitStored(t, ts.Store, len(acked), func() bool { return ts.spool.Stats().Records == 0 }, 60*time.Second)
	checkExactlyOnce(t, s, acked, ts.Logs)
}

// slowConn is a raw client connection; a goroutine reads what the server
// sends until the server closes it.
type slowConn struct {
	c      net.Conn
	start  time.Time
	answer string
	closed chan struct{}
}

// dialSlow connects to addr and writes first.
func dialSlow(addr, first string) (*slowConn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	sc := &slowConn{c: c, start: time.Now(), closed: make(chan struct{})}
	if first != "" {
		if _, err := io.WriteString(c, first); err != nil {
			c.Close()
			return nil, err
		}
	}
	go func() {
		b, _ := io.ReadAll(io.LimitReader(c, 64<<10))
		sc.answer = string(b)
		close(sc.closed)
	}()
	return sc, nil
}

// statusLine returns the first line of an HTTP answer, or "closed" when
// there was none.
func statusLine(answer string) string {
	if answer == "" {
		return "closed without an answer"
	}
	line, _, _ := strings.Cut(answer, "\r\n")
	return line
}
