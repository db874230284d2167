// Package collector holds ashiato's domain types: the event as it moves
// through the pipeline, sites and purposes, capabilities and error codes.
// It imports neither Fiber nor ClickHouse; every stage talks in these types.
package collector

import (
	"net/netip"
	"time"
)

// Event types accepted by the collector.
const (
	TypePageview   = "pageview"
	TypeEvent      = "event"
	TypeEngagement = "engagement"
)

// Limits on incoming events. They are part of the public HTTP contract.
const (
	MaxBodyBytes = 64 << 10
	// ReadBodyLimit is the largest body the server reads: the endpoints
	// answer 413 too_large above MaxBodyBytes on a connection that stays
	// usable. A body refused from its Content-Length alone is answered
	// and the connection closed while the client is still sending, and
	// the client may then see a reset instead of the 413.
	ReadBodyLimit   = 2 * MaxBodyBytes
	MaxBatchEvents  = 50
	MaxURLLen       = 2048
	MaxProps        = 32
	MaxPropKeyLen   = 64
	MaxPropValueLen = 256
	MaxNameLen      = 200
	MaxTitleLen     = 512
	MaxIDLen        = 64
)

// Hit is one event as the browser sent it, before validation. Field names
// in JSON are the public contract of POST /api/event.
type Hit struct {
	Site      string `json:"site"`
	Type      string `json:"type"`
	Name      string `json:"name"`
	URL       string `json:"url"`
	Referrer  string `json:"referrer"`
	Title     string `json:"title"`
	Props     Props  `json:"props"`
	Screen    string `json:"screen"`
	Lang      string `json:"lang"`
	EID       string `json:"eid"`
	VID       string `json:"vid"`
	SID       string `json:"sid"`
	Consent   string `json:"consent"`
	Webdriver bool   `json:"wd"`
	EngagedMS int64  `json:"engaged_ms"`
	Scroll    int64  `json:"scroll"`
	GPC       bool   `json:"gpc"`
	// Retry marks a resend of an event (same eid) that may have been
	// stored already: the collector then looks its ID up before storing.
	Retry bool `json:"retry"`

	// UserID is never read from the client: the server joins it from the
	// identities table (POST /api/identify), subject to consent.
	UserID string `json:"-"`
}

// Request is what the HTTP layer knows about the request that carried a hit.
// ClientIP is used for the country lookup and the anonymous hash and is never
// stored: enrichment clears it.
type Request struct {
	ClientIP   netip.Addr
	UserAgent  string
	Country    string // from a trusted CDN header, if any
	GPC        bool   // Sec-GPC: 1
	Cookie     string // consent token from the first-party cookie
	ReceivedAt time.Time
}

// Event is a validated, consent-gated and enriched event: what the spool
// holds and what becomes one row of the ClickHouse events table. It holds
// no raw IP and no raw User-Agent.
type Event struct {
	EventID        [16]byte
	SiteID         string
	TS             time.Time
	ReceivedAt     time.Time
	Type           string
	Name           string
	URLHost        string
	URLPath        string
	URLQuery       string // only allowlisted parameters survive
	Title          string
	Referrer       string // host + path of the referrer, query dropped
	RefHost        string
	RefSource      string // search, social, email, paid, internal, direct, other
	RefName        string // e.g. "Google"
	UTMSource      string
	UTMMedium      string
	UTMCampaign    string
	UTMTerm        string
	UTMContent     string
	ClickIDType    string // gclid, fbclid, ... only with the click-ID capability
	ClickID        string
	Screen         string
	Lang           string
	Browser        string
	BrowserVersion string
	OS             string
	OSVersion      string
	DeviceType     string // desktop, mobile, tablet, bot, other
	Country        string // ISO 3166-1 alpha-2, "" when unknown
	VisitorID      string // only with the persistent-ID capability
	VisitorHash    uint64 // anonymous daily hash; 0 when VisitorID is set
	SessionID      string
	UserID         string
	ConsentID      string
	Purposes       []string
	IsBot          bool
	BotReason      string
	EngagedMS      uint32
	ScrollDepth    uint8
	// UAKey stands for a never-seen User-Agent whose parse is still pending
	// (it runs in the background so the response does not wait). The writer
	// resolves it into Browser/OS/DeviceType/IsBot in the same process; the
	// raw User-Agent itself is never spooled or stored.
	UAKey      uint64
	PropKeys   []string
	PropValues []string
	// MaybeStored says an earlier copy of this event may already be in
	// ClickHouse: the client marked the hit as a retry, or the spool handed
	// its record out before (replay after a crash, requeue after a failed
	// insert). The store looks such events up before inserting; it is not
	// a column.
	MaybeStored bool
}
