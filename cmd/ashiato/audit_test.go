package main

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/admin"
	"github.com/ashiato/ashiato/collector/privacy"
	"github.com/ashiato/ashiato/collector/store"
)

// TestAdminAuthLimit: failed admin authentications from one address are
// answered 429 with Retry-After once the per-address limit is used up,
// without an audit row each, while another address is still served; audit
// rows are written in batches (none at once per request), and a clean
// stop flushes them all.
func TestAdminAuthLimit(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(func(m *Main) {
		m.Config.Server.AdminAuthFailures = 5
		m.privacy.auditEvery = time.Hour // only Close (or a size flush) writes
	})
	statuses := map[int]int{}
	retryAfter := ""
	for range 12 {
		st, _ := privCall(t, m, "GET", "/admin/api/tokens", "ash_0123456789ab_guess", nil, nil)
		statuses[st]++
		if st == 429 && retryAfter == "" {
			retryAfter = lastRetryAfter(t, m)
		}
	}
	if statuses[401] != 5 || statuses[429] != 7 {
		t.Fatalf("answers %v, want 5×401 then 7×429", statuses)
	}
	if retryAfter == "" || retryAfter == "0" {
		t.Errorf("429 without Retry-After")
	}
	// Another address (127.0.0.2 is loopback too) is not affected.
	other := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{
		LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}).DialContext}}
	req, _ := http.NewRequest("GET", "http://"+m.Addr+"/admin/api/tokens", nil)
	resp, err := other.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("another address: %d, want 401", resp.StatusCode)
	}
	if n := e.count("SELECT count() FROM DB.audit_log"); n != 0 {
		t.Errorf("%d audit rows written before the flush: want them batched", n)
	}
	m.Close()
	if n := e.count("SELECT count() FROM DB.audit_log WHERE status = 401"); n != 6 {
		t.Errorf("audit rows after a clean stop: %d, want 6 (the 401s; none for the 429s)", n)
	}
}

// lastRetryAfter repeats the refused request and returns its Retry-After.
func lastRetryAfter(t *testing.T, m *Main) string {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+m.Addr+"/admin/api/tokens", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get("Retry-After")
}

// TestAuditRetention: the retention job deletes audit rows older than
// audit_retention_days, whole months by partition drop, and keeps the rest.
func TestAuditRetention(t *testing.T) {
	e := newPrivEnv(t)
	m := e.start(func(m *Main) { m.Config.AuditRetentionDays = 30 })
	ctx := context.Background()
	now := time.Now().UTC()
	var rows []store.AuditEntry
	for _, ago := range []int{400, 31, 29, 0} {
		rows = append(rows, store.AuditEntry{TS: now.AddDate(0, 0, -ago), Actor: "test", Action: "old", Method: "GET", Path: "/", Status: 200})
	}
	if err := e.st.Audit(ctx, rows...); err != nil {
		t.Fatal(err)
	}
	var rep privacy.RetentionReport
	if st, b := privCall(t, m, "POST", "/admin/api/retention/run", e.token(admin.ScopeAdmin), nil, &rep); st != 200 {
		t.Fatalf("retention run: %d %s", st, b)
	}
	if len(rep.Dropped["audit_log"]) == 0 || rep.Deleted["audit_log"] != 1 {
		t.Errorf("report %+v: want the 400-day-old month dropped and the 31-day-old row deleted", rep)
	}
	if n := e.count("SELECT count() FROM DB.audit_log WHERE action = 'old'"); n != 2 {
		t.Errorf("audit rows left: %d, want 2 (29 and 0 days old)", n)
	}
}
