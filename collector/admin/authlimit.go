package admin

import (
	"net/netip"
	"time"

	"github.com/ashiato/ashiato/collector/ingest"
)

// AuthLimiter counts failed authentications per client address: after Max
// failures within a minute the address is refused (429) until the minute
// ends, without a token check or an audit row per request. IPv6 addresses
// count by /64, so one host cannot dodge it by rotating addresses.
type AuthLimiter struct {
	w ingest.Windows
}

// NewAuthLimiter allows max failures (default 20) per address a minute.
func NewAuthLimiter(max int) *AuthLimiter {
	if max <= 0 {
		max = 20
	}
	return &AuthLimiter{w: ingest.Windows{Max: max, Window: time.Minute}}
}

func limitKey(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.Addr().String()
	}
	return a.String()
}

// Blocked reports whether addr has used up its failures, and for how long
// it stays refused.
func (l *AuthLimiter) Blocked(addr netip.Addr) (time.Duration, bool) {
	return l.w.Full(limitKey(addr))
}

// Fail records a failed authentication of addr.
func (l *AuthLimiter) Fail(addr netip.Addr) { l.w.Add(limitKey(addr)) }
