package admin

import (
	"net/netip"
	"sync"
	"time"
)

// AuthLimiter counts failed authentications per client address: after Max
// failures within Window the address is refused (429) until the window
// ends, without a token check or an audit row per request. IPv6 addresses
// count by /64, so one host cannot dodge it by rotating addresses.
type AuthLimiter struct {
	Max    int           // failures per window; default 20
	Window time.Duration // default 1 minute
	Now    func() time.Time

	mu    sync.Mutex
	addrs map[netip.Addr]*authFailures
}

type authFailures struct {
	n     int
	start time.Time
}

// maxTracked bounds the addresses held; beyond it expired ones are swept.
const maxTracked = 100000

func (l *AuthLimiter) settings() (int, time.Duration, time.Time) {
	max, window, now := l.Max, l.Window, time.Now()
	if max <= 0 {
		max = 20
	}
	if window <= 0 {
		window = time.Minute
	}
	if l.Now != nil {
		now = l.Now()
	}
	return max, window, now
}

func limitKey(a netip.Addr) netip.Addr {
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.Addr()
	}
	return a
}

// Blocked reports whether addr has used up its failures, and for how long
// it stays refused.
func (l *AuthLimiter) Blocked(addr netip.Addr) (time.Duration, bool) {
	max, window, now := l.settings()
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.addrs[limitKey(addr)]
	if f == nil || now.Sub(f.start) >= window || f.n < max {
		return 0, false
	}
	return f.start.Add(window).Sub(now), true
}

// Fail records a failed authentication of addr.
func (l *AuthLimiter) Fail(addr netip.Addr) {
	_, window, now := l.settings()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.addrs == nil {
		l.addrs = map[netip.Addr]*authFailures{}
	}
	k := limitKey(addr)
	f := l.addrs[k]
	if f == nil || now.Sub(f.start) >= window {
		if len(l.addrs) >= maxTracked {
			for a, g := range l.addrs {
				if now.Sub(g.start) >= window {
					delete(l.addrs, a)
				}
			}
		}
		f = &authFailures{start: now}
		l.addrs[k] = f
	}
	f.n++
}
