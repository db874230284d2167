package enrich

import (
	"strings"
	"sync"
	"time"
)

// Device types.
const (
	DeviceDesktop = "desktop"
	DeviceMobile  = "mobile"
	DeviceTablet  = "tablet"
	DeviceBot     = "bot"
	DeviceOther   = "other"
)

// maxUALen is the longest prefix of a User-Agent that is parsed; longer
// strings are not browsers, and the regexes cost time in proportion.
const maxUALen = 1024

// UAInfo is what a User-Agent says. Every parsed UAInfo has a DeviceType;
// the zero UAInfo means "not parsed".
type UAInfo struct {
	Browser        string // uap-core family, e.g. "Chrome", "Mobile Safari"; "Other" when unknown
	BrowserVersion string // "major.minor", e.g. "126.0"
	OS             string // e.g. "Windows", "iOS", "Mac OS X"; "Other" when unknown
	OSVersion      string // "major.minor"
	DeviceType     string // desktop, mobile, tablet, bot, other
	IsBot          bool   // a crawler or automation, by the User-Agent alone
	BotReason      string // BotCrawler, BotHeadless or BotEmptyUA when IsBot
}

// UACached returns the parsed User-Agent if it is in the cache. A hit takes
// a read lock and a map lookup and does not allocate. On a miss it queues a
// background parse (unless the same User-Agent is already queued) and
// returns false at once; a later hit, or UAByKey, finds the result. When the
// queue is full it parses right here and returns true: a burst of new
// User-Agents slows responses down rather than losing their parse.
// ua may be a buffer the caller reuses: the queue keeps a copy.
func (e *Enricher) UACached(ua string) (UAInfo, bool) {
	h := e.cache.hash(ua)
	if v, ok := e.cache.get(h); ok {
		return v, true
	}
	e.misses.Add(1)
	if !e.schedule(h, ua) {
		v := e.parse(ua)
		e.cache.put(h, v)
		return v, true
	}
	return UAInfo{}, false
}

// UA returns the parsed User-Agent from the cache, or parses it now (which
// costs some tens of microseconds) and caches it.
func (e *Enricher) UA(ua string) UAInfo {
	h := e.cache.hash(ua)
	if v, ok := e.cache.get(h); ok {
		return v
	}
	v := e.parse(ua)
	e.cache.put(h, v)
	return v
}

// schedule queues a background parse; false when the queue is full.
func (e *Enricher) schedule(h uint64, ua string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, busy := e.inflight[h]; busy {
		return true
	}
	select {
	case e.queue <- pendingUA{hash: h, ua: strings.Clone(ua)}:
		e.inflight[h] = struct{}{}
		e.queued.Add(1)
		return true
	default:
		e.dropped.Add(1)
		return false
	}
}

// parseGather is how long a worker lets never-seen User-Agents gather
// before it parses them back to back. Under load a lone parse found the
// parser's tables cold (other work runs between two parses) and cost
// 110–150 µs of wall time; in 20 ms batches, 74–99 µs (docs/BENCHMARKS.md,
// ninth pass). It must stay well under UAResolveWait.
const parseGather = 20 * time.Millisecond

// UAResolveWait is how long the writer waits in UAByKey for a parse still
// queued.
const UAResolveWait = 100 * time.Millisecond

func (e *Enricher) work() {
	defer e.workers.Done()
	gather := time.NewTimer(0)
	<-gather.C
	for {
		var p pendingUA
		select {
		case <-e.stop:
			return
		case p = <-e.queue:
		}
		gather.Reset(parseGather)
		select {
		case <-e.stop:
			return
		case <-gather.C:
		}
		for more := true; more; {
			e.cache.put(p.hash, e.parse(p.ua))
			e.mu.Lock()
			delete(e.inflight, p.hash)
			e.mu.Unlock()
			select {
			case p = <-e.queue:
			default:
				more = false
			}
		}
	}
}

// parse runs the User-Agent parser and the UA-only bot checks.
func (e *Enricher) parse(ua string) UAInfo {
	start := time.Now()
	s := ua
	if len(s) > maxUALen {
		s = s[:maxUALen]
	}
	// The bot checks that need no parse run first: a bot's device type is
	// DeviceBot whatever the device, so its device rules are skipped.
	var bot bool
	var reason string
	p := e.parser.parseIf(s, func() bool {
		bot, reason = uaBot(s, false)
		return !bot
	})
	if !bot && p.Device.Family == "Spider" {
		bot, reason = true, BotCrawler // uaBot(s, true) when uaBot(s, false) is not a bot
	}
	info := UAInfo{
		Browser:        e.intern.get(p.UA.Family),
		BrowserVersion: e.intern.get(version(p.UA.Major, p.UA.Minor)),
		OS:             e.intern.get(p.OS.Family),
		OSVersion:      e.intern.get(version(p.OS.Major, p.OS.Minor)),
	}
	info.IsBot, info.BotReason = bot, reason
	info.DeviceType = deviceType(s, &p, info.IsBot)
	e.parsed.Add(1)
	e.parseNanos.Add(int64(time.Since(start)))
	return info
}

func version(major, minor string) string {
	switch {
	case major == "":
		return ""
	case minor == "":
		return major
	default:
		return major + "." + minor
	}
}

// deviceType classifies the device from the parse and the raw string.
func deviceType(ua string, p *uaParsed, bot bool) string {
	if bot {
		return DeviceBot
	}
	dev, brand, model, os := p.Device.Family, p.Device.Brand, p.Device.Model, p.OS.Family
	switch {
	case dev == "iPad", strings.Contains(dev, "Tablet"), strings.Contains(model, "Tablet"),
		strings.Contains(ua, "iPad"), strings.Contains(ua, "Tablet") && !strings.Contains(ua, "Tablet PC"),
		strings.HasPrefix(dev, "Kindle"), brand == "Amazon" && strings.HasPrefix(model, "Kindle"),
		strings.Contains(dev, "Galaxy Tab"), strings.HasPrefix(model, "SM-T"):
		return DeviceTablet
	case strings.Contains(ua, "TV") || strings.Contains(ua, "PlayStation") ||
		strings.Contains(ua, "Xbox") || strings.Contains(ua, "Nintendo"):
		return DeviceOther
	case dev == "iPhone" || dev == "iPod" || strings.HasPrefix(dev, "Generic Smartphone") ||
		strings.HasPrefix(dev, "Generic Feature Phone"):
		return DeviceMobile
	case os == "Android" && !strings.Contains(ua, "Mobile"):
		// Android tablets leave "Mobile" out of the User-Agent.
		return DeviceTablet
	case strings.Contains(ua, "Mobile") || strings.Contains(ua, "Mobi") || mobileOS[os]:
		return DeviceMobile
	case desktopOS[os] || strings.HasPrefix(os, "Windows") || dev == "Mac":
		return DeviceDesktop
	}
	return DeviceOther
}

var mobileOS = map[string]bool{
	"iOS": true, "Android": true, "Windows Phone": true, "Windows Mobile": true,
	"BlackBerry OS": true, "BlackBerry Tablet OS": true, "Symbian OS": true, "Symbian^3": true,
	"KaiOS": true, "Firefox OS": true, "Tizen": true, "webOS": true, "Bada": true,
	"HarmonyOS": true, "Sailfish": true, "Ubuntu Touch": true, "MeeGo": true, "Maemo": true,
}

var desktopOS = map[string]bool{
	"Mac OS X": true, "Mac OS": true, "Linux": true, "Ubuntu": true, "Debian": true,
	"Fedora": true, "Red Hat": true, "SUSE": true, "openSUSE": true, "Mandriva": true,
	"Gentoo": true, "Slackware": true, "Mint": true, "Kubuntu": true, "CentOS": true,
	"Chrome OS": true, "ChromeOS": true, "FreeBSD": true, "OpenBSD": true, "NetBSD": true,
	"Solaris": true, "SunOS": true, "BeOS": true, "Haiku": true, "OS/2": true,
}

// interner shares the few distinct family and version strings among
// cache entries. It forgets everything when it grows too large.
type interner struct {
	mu sync.Mutex
	m  map[string]string
}

const maxInterned = 20_000

func (in *interner) get(s string) string {
	if s == "" {
		return ""
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if v, ok := in.m[s]; ok {
		return v
	}
	if len(in.m) >= maxInterned {
		clear(in.m)
	}
	in.m[s] = s
	return s
}

// UAKey returns the cache key of ua. An event whose UA was not cached yet
// carries the key instead of the raw User-Agent, so the raw string never
// reaches the spool; UAByKey resolves it once the background parse is done.
// Keys are only meaningful inside this process (the hash seed is random).
func (e *Enricher) UAKey(ua string) uint64 { return e.cache.hash(ua) }

// UAByKey returns the parsed User-Agent of a key from UAKey. When the parse
// is still queued it waits for it, up to wait.
func (e *Enricher) UAByKey(key uint64, wait time.Duration) (UAInfo, bool) {
	deadline := time.Now().Add(wait)
	for {
		if v, ok := e.cache.get(key); ok {
			return v, true
		}
		e.mu.Lock()
		_, busy := e.inflight[key]
		e.mu.Unlock()
		if !busy || time.Now().After(deadline) {
			return UAInfo{}, false
		}
		time.Sleep(time.Millisecond)
	}
}
