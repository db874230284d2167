package store

import (
	"encoding/binary"
	"sync"

	"github.com/ashiato/ashiato/collector"
)

// recentIDs remembers the event IDs this process has handed to ClickHouse
// lately, so that a repeated ID — a client resending an eid without marking
// it as a retry, or a second copy inside one batch — is looked up before it
// is stored, while the common case (an ID never seen) costs no query.
//
// It is a Bloom filter in two generations: when the current one holds
// recentCap IDs it becomes the old one and a new one starts, so it always
// covers at least the last recentCap IDs, in 4 MiB. A false positive (about
// 0.2 % at the cap) only costs a lookup of that ID; there are no false
// negatives within the window.
type recentIDs struct {
	mu       sync.Mutex
	cur, old []uint64
	n        int
}

const (
	recentBits = 1 << 24 // bits per generation: 2 MiB
	recentCap  = 1 << 20 // IDs per generation
)

// probes returns the filter positions of id. Event IDs are UUIDs of
// version 4 (random) or 5 (SHA-1 of the site and the client's eid), so
// their bytes are uniform except the version (byte 6) and variant (byte 8)
// bits, which are left out.
func probes(id *[16]byte) [4]uint32 {
	const mask = recentBits - 1
	return [4]uint32{
		binary.LittleEndian.Uint32(id[0:4]) & mask,
		binary.LittleEndian.Uint32(id[2:6]) >> 8 & mask,
		binary.LittleEndian.Uint32(id[9:13]) & mask,
		binary.LittleEndian.Uint32(id[12:16]) >> 8 & mask,
	}
}

// suspects adds the IDs of evs and returns, under one lock, the events that
// may repeat one already stored: those marked MaybeStored and those whose
// ID may have been added before (by an earlier call or earlier in evs).
func (r *recentIDs) suspects(evs []collector.Event) []*collector.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*collector.Event
	for i := range evs {
		if r.seenAndAdd(evs[i].EventID) || evs[i].MaybeStored {
			out = append(out, &evs[i])
		}
	}
	return out
}

// seenAndAdd reports whether id may have been added before, and adds it.
// r.mu is held.
func (r *recentIDs) seenAndAdd(id [16]byte) bool {
	p := probes(&id)
	if r.cur == nil {
		r.cur = make([]uint64, recentBits/64)
	}
	seen := has(r.cur, p) || r.old != nil && has(r.old, p)
	if r.n == recentCap {
		r.old, r.cur, r.n = r.cur, r.old, 0
		if r.cur == nil {
			r.cur = make([]uint64, recentBits/64)
		} else {
			clear(r.cur)
		}
	}
	for _, b := range p {
		r.cur[b/64] |= 1 << (b % 64)
	}
	r.n++
	return seen
}

func has(set []uint64, p [4]uint32) bool {
	for _, b := range p {
		if set[b/64]&(1<<(b%64)) == 0 {
			return false
		}
	}
	return true
}
