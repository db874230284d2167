package ingest

import (
	"crypto/sha1"
	"net/netip"
	"strings"

	"github.com/google/uuid"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/consent"
	"github.com/ashiato/ashiato/collector/enrich"
)

// Enricher is what the ingest stage needs of the enrichment stage.
type Enricher interface {
	Country(ip netip.Addr, header func(name string) string) string
	UACached(ua string) (enrich.UAInfo, bool)
	UAKey(ua string) uint64
}

// Hasher computes the anonymous visitor hash.
type Hasher interface {
	Hash(site string, ip netip.Addr, ua string) uint64
}

// eventNamespace scopes client event IDs (eid) per site, so that a client
// cannot collide with another site's events by reusing an ID.
var eventNamespace = uuid.MustParse("6f0d2b8e-3c59-4f43-9a8e-5a7c1d9e0b21")

// Build turns a validated hit into an event for site: it parses the URL and
// referrer, applies the consent policy (the one choke point, consent.Apply)
// and enriches. The request's IP and UA are used here and not kept, except
// a never-seen UA, which rides along only as a key (UAKey) until the writer
// resolves it: the raw string never reaches the spool.
// keep is false when the policy says the event must not be stored.
func Build(h *collector.Hit, site *collector.Site, req *collector.Request, pol consent.Policy, en Enricher, hs Hasher, header func(string) string) (ev collector.Event, keep bool, err *collector.Error) {
	u, perr := enrich.ParseURL(h.URL, keepAll)
	if perr != nil {
		return ev, false, collector.Errorf(collector.EInvalid, "url", "want an absolute http(s) URL")
	}
	if !site.AllowsHost(u.Host) {
		return ev, false, collector.Errorf(collector.EInvalid, "url", "host does not belong to site %s", site.ID)
	}
	ev = collector.Event{
		EventID: eventID(site.ID, h.EID),
		// Without an eid the ID is random and cannot repeat an earlier one.
		MaybeStored: h.Retry && h.EID != "",
		SiteID:      site.ID,
		TS:          req.ReceivedAt,
		ReceivedAt:  req.ReceivedAt,
		Type:        h.Type,
		Name:        h.Name,
		URLHost:     u.Host, URLPath: u.Path, URLQuery: u.Query,
		Title:     h.Title,
		UTMSource: u.UTMSource, UTMMedium: u.UTMMedium, UTMCampaign: u.UTMCampaign,
		UTMTerm: u.UTMTerm, UTMContent: u.UTMContent,
		ClickIDType: u.ClickIDType, ClickID: u.ClickID,
		Screen:    h.Screen,
		Lang:      h.Lang,
		VisitorID: h.VID,
		SessionID: h.SID,
		UserID:    h.UserID,
	}
	if h.Type == collector.TypeEngagement {
		ev.EngagedMS = uint32(h.EngagedMS)
		ev.ScrollDepth = uint8(h.Scroll)
	}
	ref := enrich.Referrer(h.Referrer, site.AllowsHost, u.UTMSource, u.UTMMedium, u.ClickID != "")
	ev.RefHost, ev.RefSource, ev.RefName = ref.Host, ref.Source, ref.Name
	ev.Referrer = joined(h.Referrer, ref.Host, ref.Path)
	if n := len(h.Props); n > 0 {
		kv := make([]string, 2*n) // keys and values in one allocation
		ev.PropKeys, ev.PropValues = kv[:n:n], kv[n:]
		for i, p := range h.Props { // sorted by key
			ev.PropKeys[i], ev.PropValues[i] = p.Key, p.Value
		}
	}
	if !consent.Apply(&ev, pol) {
		return ev, false, nil
	}
	ev.Country = en.Country(req.ClientIP, header)
	if info, ok := en.UACached(req.UserAgent); ok {
		SetUA(&ev, info, h.Webdriver)
	} else {
		ev.UAKey = en.UAKey(req.UserAgent)
		ev.IsBot = h.Webdriver
		if h.Webdriver {
			ev.BotReason = "webdriver"
		}
	}
	if ev.VisitorID == "" {
		ev.VisitorHash = hs.Hash(site.ID, req.ClientIP, req.UserAgent)
	}
	return ev, true, nil
}

// SetUA fills the parsed User-Agent fields of ev.
func SetUA(ev *collector.Event, info enrich.UAInfo, webdriver bool) {
	ev.Browser, ev.BrowserVersion = info.Browser, info.BrowserVersion
	ev.OS, ev.OSVersion = info.OS, info.OSVersion
	ev.DeviceType = info.DeviceType
	ev.IsBot, ev.BotReason = info.IsBot, info.BotReason
	if webdriver && !ev.IsBot {
		ev.IsBot, ev.BotReason = true, "webdriver"
	}
	ev.UAKey = 0
}

func keepAll(string) bool { return true }

// joined returns a+b: the piece of s that holds them side by side when there
// is one (a referrer as browsers send it, "https://host/path"), so that the
// common case costs no allocation.
func joined(s, a, b string) string {
	if i := strings.Index(s, a); i >= 0 && strings.HasPrefix(s[i+len(a):], b) {
		return s[i : i+len(a)+len(b)]
	}
	return a + b
}

// eventID derives the event ID: from the client's eid (so retries collapse)
// as a name-based UUID (version 5) of (site, eid) in eventNamespace, or
// random. It is uuid.NewHash(sha1.New(), eventNamespace, site+"\x00"+eid, 5)
// without the allocations.
func eventID(site, eid string) [16]byte {
	if eid == "" {
		return uuid.New()
	}
	var buf [16 + 256]byte
	b := append(buf[:0], eventNamespace[:]...)
	b = append(b, site...)
	b = append(b, 0)
	b = append(b, eid...)
	sum := sha1.Sum(b)
	var id [16]byte
	copy(id[:], sum[:16])
	id[6] = id[6]&0x0f | 0x50 // version 5
	id[8] = id[8]&0x3f | 0x80 // RFC 4122 variant
	return id
}
