package consent

import "time"

// Entry is what recording one decision writes: its ledger row, and what it
// replaced, so that the replaced decision's effects can be undone wherever
// the entry is applied (at once in memory, later in ClickHouse, again after
// a restart while the entry is still in flight).
type Entry struct {
	Decision Decision `json:"decision"`
	// PrevVisitorID is the visitor ID of the grant the decision replaced,
	// when it differs from the decision's (identity links of both are
	// removed by a decision that no longer grants the user-ID join).
	PrevVisitorID string `json:"prev_visitor_id,omitempty"`
	// Revokes is the consent ID of the replaced decision when that one
	// bound no visitor ID: nothing else ties it to this one, so it is
	// revoked by ID (table consent_revoked) until RevokesExpiresAt.
	Revokes          string    `json:"revokes,omitempty"`
	RevokesExpiresAt time.Time `json:"revokes_expires_at,omitzero"`
	// Replaces is the consent ID of the decision this one replaced (the
	// request carried the visitor's token), expiring at ReplacesExpiresAt.
	Replaces          string    `json:"replaces,omitempty"`
	ReplacesExpiresAt time.Time `json:"replaces_expires_at,omitzero"`
	// RevokedAt, when set, is the time of the consent_revoked row instead
	// of the decision's (Late sets it; not kept in the spool).
	RevokedAt time.Time `json:"-"`
}

// Late marks an entry that reaches the ledger at now more than Overlap
// after it was decided (it waited out a ClickHouse outage): the other
// collector instances read the ledger's decisions by their time, and have
// read past it. So the decision it replaced is also revoked by its ID, at
// now, which they read next (consent_revoked), as a decision that bound no
// visitor ID always is.
func (e *Entry) Late(now time.Time) {
	if e.Replaces == "" || e.Revokes != "" || now.Sub(e.Decision.TS) <= Overlap {
		return
	}
	e.Revokes, e.RevokesExpiresAt, e.RevokedAt = e.Replaces, e.ReplacesExpiresAt, now
}

// Apply tells the gate of an entry recorded by this instance: the subject's
// earlier tokens, and a revoked decision's token, stop counting here at
// once (other instances learn it from the ledger within seconds). Recording
// and the replay of entries still in flight after a restart both call it.
func (gt *Gate) Apply(e Entry) {
	gt.Recorded(e.Decision)
	if e.Revokes != "" {
		gt.Revoked(e.Revokes)
	}
}
