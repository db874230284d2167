package enrich

import (
	"hash/maphash"
	"sync"
)

// uaCache maps the hash of a User-Agent to its parsed fields. It is split
// into shards, each behind a read-write mutex, so that the read path is an
// uncontended read lock and a map lookup, without allocation. Keys are
// 64-bit seeded hashes, not the strings: memory stays small and raw
// User-Agents are not retained. Two User-Agents with the same hash would
// share an entry; with 100,000 entries the chance that any pair collides is
// about 3·10⁻¹⁰, and the random seed keeps outsiders from forcing one.
//
// Eviction is by generations: each shard fills a current map up to half its
// share of the capacity, then the current map becomes the previous one and
// the old previous map is dropped. A hit in the previous map moves the
// entry to the current one, so entries in use survive (an approximation of
// LRU at the cost of one map write per entry and generation).
type uaCache struct {
	seed   maphash.Seed
	shards []uaShard
	mask   uint64
	perGen int // entries per shard and generation
}

type uaShard struct {
	mu   sync.RWMutex
	cur  map[uint64]UAInfo
	prev map[uint64]UAInfo
	_    [64]byte // keep shards' mutexes on separate cache lines
}

const maxUAShards = 64

func newUACache(size int) *uaCache {
	size = max(size, 2) // one entry per generation
	n := 1
	for n < maxUAShards && n*32 <= size {
		n *= 2
	}
	c := &uaCache{
		seed:   maphash.MakeSeed(),
		shards: make([]uaShard, n),
		mask:   uint64(n - 1),
		perGen: max(1, size/n/2),
	}
	for i := range c.shards {
		c.shards[i].cur = make(map[uint64]UAInfo)
	}
	return c
}

func (c *uaCache) hash(ua string) uint64 { return maphash.String(c.seed, ua) }

func (c *uaCache) get(h uint64) (UAInfo, bool) {
	s := &c.shards[h&c.mask]
	s.mu.RLock()
	v, ok := s.cur[h]
	if ok {
		s.mu.RUnlock()
		return v, true
	}
	v, ok = s.prev[h]
	s.mu.RUnlock()
	if ok {
		c.put(h, v)
	}
	return v, ok
}

func (c *uaCache) put(h uint64, v UAInfo) {
	s := &c.shards[h&c.mask]
	s.mu.Lock()
	if _, ok := s.cur[h]; !ok && len(s.cur) >= c.perGen {
		s.prev = s.cur
		s.cur = make(map[uint64]UAInfo, c.perGen)
	}
	s.cur[h] = v
	s.mu.Unlock()
}

// len counts the distinct entries held (an entry in both generations once).
func (c *uaCache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.cur)
		for h := range s.prev {
			if _, ok := s.cur[h]; !ok {
				n++
			}
		}
		s.mu.RUnlock()
	}
	return n
}
