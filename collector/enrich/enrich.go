package enrich

import (
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oschwald/maxminddb-golang/v2"
)

// Enricher holds what enrichment needs at run time: the trusted proxies,
// the country database, the User-Agent parser and its cache. It is safe for
// concurrent use.
type Enricher struct {
	cfg     Config
	log     *slog.Logger
	proxies []netip.Prefix
	geoMu   sync.RWMutex      // Close waits for lookups in progress
	geo     *maxminddb.Reader // nil without a database or after Close

	parser *uaMatcher
	cache  *uaCache
	intern interner

	queue    chan pendingUA
	mu       sync.Mutex          // guards inflight
	inflight map[uint64]struct{} // hashes queued or being parsed
	stop     chan struct{}
	workers  sync.WaitGroup
	closed   sync.Once

	misses, queued, dropped, parsed atomic.Uint64
	parseNanos                      atomic.Int64
	geoErrAt                        atomic.Int64 // unix seconds of the last logged lookup error
}

type pendingUA struct {
	hash uint64
	ua   string
}

// New validates cfg, opens the country database if one is configured,
// compiles the User-Agent parser and starts the background parse workers.
// Close releases them.
func New(cfg Config, log *slog.Logger) (*Enricher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	proxies, err := parsePrefixes(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	e := &Enricher{
		cfg:      cfg,
		log:      log,
		proxies:  proxies,
		cache:    newUACache(cfg.UACacheSize),
		queue:    make(chan pendingUA, cfg.UAQueueSize),
		inflight: make(map[uint64]struct{}),
		stop:     make(chan struct{}),
	}
	e.intern.m = make(map[string]string)
	start := time.Now()
	if e.parser, err = sharedUAMatcher(); err != nil {
		return nil, fmt.Errorf("enrich: compile user-agent parser: %w", err)
	}
	if _, err = sharedIsbot(); err != nil {
		return nil, fmt.Errorf("enrich: compile bot patterns: %w", err)
	}
	if _, err = sharedBotExclusions(); err != nil {
		return nil, fmt.Errorf("enrich: compile bot exclusions: %w", err)
	}
	if cfg.GeoIPDB != "" {
		if e.geo, err = maxminddb.Open(cfg.GeoIPDB); err != nil {
			return nil, fmt.Errorf("enrich: open geoip_db: %w", err)
		}
		log.Info("enrich: country database opened", "path", cfg.GeoIPDB,
			"type", e.geo.Metadata.DatabaseType, "built", e.geo.Metadata.BuildTime().UTC().Format(time.DateOnly))
	}
	for range cfg.UAWorkers {
		e.workers.Add(1)
		go e.work()
	}
	log.Debug("enrich: ready", "startup", time.Since(start).Round(time.Millisecond),
		"ua_cache_size", cfg.UACacheSize, "ua_workers", cfg.UAWorkers)
	return e, nil
}

// Close stops the background workers (User-Agents still queued are not
// parsed) and closes the country database. Calls that race with Close or
// come after it are safe: Country then finds no country in the database,
// and UACached only answers from the cache.
func (e *Enricher) Close() error {
	var err error
	e.closed.Do(func() {
		close(e.stop)
		e.workers.Wait()
		e.geoMu.Lock()
		defer e.geoMu.Unlock()
		if e.geo != nil {
			err = e.geo.Close()
			e.geo = nil
		}
	})
	return err
}

// Stats are counters for metrics.
type Stats struct {
	UAMisses       uint64        // UACached calls that missed the cache
	UAQueued       uint64        // misses queued for a background parse
	UADropped      uint64        // misses not queued because the queue was full
	UAParsed       uint64        // User-Agents parsed (background and blocking)
	UAParseTime    time.Duration // total time spent parsing
	UACacheEntries int           // parsed User-Agents in memory
	UAQueueDepth   int           // User-Agents waiting for a worker
}

// Stats returns the current counters.
func (e *Enricher) Stats() Stats {
	return Stats{
		UAMisses:       e.misses.Load(),
		UAQueued:       e.queued.Load(),
		UADropped:      e.dropped.Load(),
		UAParsed:       e.parsed.Load(),
		UAParseTime:    time.Duration(e.parseNanos.Load()),
		UACacheEntries: e.cache.len(),
		UAQueueDepth:   len(e.queue),
	}
}

// throttled reports whether an error logged at *at may be logged again now,
// at most once a minute, and records the time when it may.
func throttled(at *atomic.Int64) bool {
	now := time.Now().Unix()
	last := at.Load()
	return now-last < 60 || !at.CompareAndSwap(last, now)
}
