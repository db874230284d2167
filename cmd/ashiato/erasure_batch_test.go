package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestErasureFlood: a flood of self-service erasures is suppressed at once
// and deleted in a batch, with a bounded number of mutations (not one per
// erasure); every erasure gets its verified receipt and nothing of the
// erased visitors is left, while another visitor's events stay.
func TestErasureFlood(t *testing.T) {
	const n = 12
	e := newPrivEnv(t)
	m := e.start(func(m *Main) { m.privacy.eraseEvery = 3 * time.Second })
	other := privDecide(t, m, "shop", "accept_all", nil, "")
	other.hit(t, m, "/other")
	var vs []privVisitor
	for i := range n {
		v := privDecide(t, m, "shop", "accept_all", nil, "")
		v.hit(t, m, fmt.Sprintf("/flood-%d", i))
		vs = append(vs, v)
	}
	e.waitCount(n+1, "SELECT count() FROM DB.events")
	mutationsBefore := e.count("SELECT count() FROM system.mutations WHERE database = ? AND table = 'events'", e.st.Dialect.DB)
	for _, v := range vs {
		if st, b := privCall(t, m, "POST", "/api/privacy/me/erase", "", map[string]string{"site": "shop", "consent": v.token}, nil); st != 202 {
			t.Fatalf("erase: %d %s", st, b)
		}
		// Suppressed at once: a later hit of the visitor is dropped.
		v.hit(t, m, "/after-erasure")
	}
	e.waitCount(n, "SELECT count() FROM DB.erasure_receipts WHERE verified = 1 AND requested_by = 'visitor'")
	if got := e.count("SELECT count() FROM system.mutations WHERE database = ? AND table = 'events'", e.st.Dialect.DB) - mutationsBefore; got > 3 {
		t.Errorf("%d erasures ran %d mutations on events, want a bounded few (one per batch round)", n, got)
	}
	e.waitCount(1, "SELECT count() FROM DB.events WHERE visitor_id = ?", other.vid)
	for _, v := range vs {
		for _, q := range []string{"SELECT count() FROM DB.events WHERE visitor_id = ?", "SELECT count() FROM DB.event_subjects WHERE subject = ?",
			"SELECT count() FROM DB.consent_log WHERE visitor_id = ?", "SELECT count() FROM DB.erasure_queue WHERE has(visitors, ?)"} {
			if c := e.count(q, v.vid); c != 0 {
				t.Errorf("%s: %d rows of an erased visitor", q, c)
			}
		}
	}
}

// TestErasureSurvivesRestart: an erasure queued before a stop is carried
// out after the next start (the queue is in ClickHouse), with its receipt.
func TestErasureSurvivesRestart(t *testing.T) {
	e, m, v := idleEraser(t, "/before")
	var res struct {
		RequestID string `json:"request_id"`
	}
	if st, b := privCall(t, m, "POST", "/api/privacy/me/erase", "", map[string]string{"site": "shop", "consent": v.token}, &res); st != 202 {
		t.Fatalf("erase: %d %s", st, b)
	}
	m.Close()
	if q, r := e.count("SELECT count() FROM DB.erasure_queue WHERE request_id = ?", res.RequestID),
		e.count("SELECT count() FROM DB.erasure_receipts WHERE request_id = ?", res.RequestID); q != 1 || r != 0 {
		t.Fatalf("after the stop: %d queued, %d receipts; want 1 queued and no receipt yet", q, r)
	}
	e.start(nil)
	e.waitCount(1, "SELECT count() FROM DB.erasure_receipts WHERE request_id = ? AND verified = 1", res.RequestID)
	e.waitCount(0, "SELECT count() FROM DB.erasure_queue")
	if c := e.count("SELECT count() FROM DB.events WHERE visitor_id = ?", v.vid); c != 0 {
		t.Errorf("%d events of the erased visitor after the restart", c)
	}
}

// TestCLIErasure: the CLI, which has no batch loop, runs the erasure batch
// itself and prints the verified receipt.
func TestCLIErasure(t *testing.T) {
	e, _, v := idleEraser(t, "/cli")
	out, err := e.cli("privacy", "erase", "--site", "shop", "--visitor", v.vid, "--settle", "300ms")
	if err != nil || !strings.Contains(out, `"verified": true`) && !strings.Contains(out, `"verified":true`) {
		t.Fatalf("privacy erase: %v\n%s", err, out)
	}
	if c := e.count("SELECT count() FROM DB.events WHERE visitor_id = ?", v.vid); c != 0 {
		t.Errorf("%d events left after the CLI erasure", c)
	}
}

// idleEraser starts a collector whose erasure batches wait an hour, with a
// visitor whose hit on path is stored.
func idleEraser(t *testing.T, path string) (*privEnv, *Main, privVisitor) {
	t.Helper()
	e := newPrivEnv(t)
	m := e.start(func(m *Main) { m.privacy.eraseEvery = time.Hour })
	v := privDecide(t, m, "shop", "accept_all", nil, "")
	v.hit(t, m, path)
	e.waitCount(1, "SELECT count() FROM DB.events WHERE visitor_id = ?", v.vid)
	return e, m, v
}
