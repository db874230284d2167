package store

import (
	"crypto/rand"
	"testing"
)

func randomID() [16]byte {
	var id [16]byte
	rand.Read(id[:])
	return id
}

// TestRecentIDs: every ID among the last recentCap added is reported seen
// (no false negatives across a generation change), and new IDs rarely are.
func TestRecentIDs(t *testing.T) {
	var r recentIDs
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := make([][16]byte, recentCap+recentCap/2)
	falsePos := 0
	for i := range ids {
		ids[i] = randomID()
		if r.seenAndAdd(ids[i]) {
			falsePos++
		}
	}
	if rate := float64(falsePos) / float64(len(ids)); rate > 0.01 {
		t.Errorf("new IDs reported seen: %d of %d (%.3f%%), want under 1%%", falsePos, len(ids), 100*rate)
	}
	for i, id := range ids[len(ids)-recentCap:] {
		if !r.seenAndAdd(id) {
			t.Fatalf("ID %d of the last %d added is not reported seen", i, recentCap)
		}
	}
}
