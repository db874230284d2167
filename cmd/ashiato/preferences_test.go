package main

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/consent"
)

// prefSitesYAML is the shop of privSitesYAML with a preference center.
const prefSitesYAML = `
sites:
  - id: shop
    hosts: [shop.example]
    origins: ["https://shop.example"]
    identify_key: ` + testIdentifyKey + `
    preferences:
      request_deadline_days: 10
      topics:
        - id: campaigns
          title: {ja: キャンペーン, en: Campaigns}
        - id: orders
          title: {ja: ご注文, en: Orders}
          transactional: true
          reason: {ja: ご契約の履行に必要です, en: Needed to fulfil your contract}
`

func newPrefEnv(t *testing.T) (*privEnv, *Main) {
	t.Helper()
	e := newPrivEnv(t)
	if err := os.WriteFile(e.cfgFile, []byte(prefSitesYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	return e, e.start(nil)
}

func customerToken(user string, now time.Time, ttl time.Duration) string {
	return consent.SignAssertion([]byte(testIdentifyKey), user, "shop", consent.ScopePreferences, now, ttl)
}

// TestCustomerPreferences drives the preference center's API as the
// component does, and the mailer's admin routes.
func TestCustomerPreferences(t *testing.T) {
	e, m := newPrefEnv(t)
	tok := customerToken("alice", time.Now(), 5*time.Minute)
	origin := []string{"Origin", "https://shop.example"}
	for name, bad := range map[string]string{
		"identify assertion": consent.SignAssertion([]byte(testIdentifyKey), "alice", "shop", "", time.Now(), 5*time.Minute),
		"expired":            customerToken("alice", time.Now().Add(-time.Hour), 5*time.Minute),
		"forged":             consent.SignAssertion([]byte("another-key-0123456789abcdef-0123"), "alice", "shop", consent.ScopePreferences, time.Now(), 5*time.Minute),
		"none":               "",
	} {
		if st, b := privCall(t, m, "GET", "/api/preferences?site=shop", bad, nil, nil, origin...); st != 401 || !strings.Contains(string(b), `"unauthorized"`) {
			t.Errorf("%s token: %d %s, want 401", name, st, b)
		}
	}
	type view struct {
		Topics []struct {
			ID            string `json:"id"`
			Transactional bool   `json:"transactional"`
			States        []struct {
				Channel string `json:"channel"`
				On      bool   `json:"on"`
			} `json:"states"`
		} `json:"topics"`
	}
	on := func(v view, topic, channel string) bool {
		for _, tp := range v.Topics {
			for _, s := range tp.States {
				if tp.ID == topic && s.Channel == channel {
					return s.On
				}
			}
		}
		t.Fatalf("no %s/%s", topic, channel)
		return false
	}
	var v view
	if st, b := privCall(t, m, "POST", "/api/preferences", tok, map[string]any{"site": "shop", "channel": "email", "topic": "campaigns", "on": true}, &v, origin...); st != 200 || !on(v, "campaigns", "email") {
		t.Fatalf("turn on: %d %s", st, b)
	}
	if st, b := privCall(t, m, "POST", "/api/preferences", tok, map[string]any{"site": "shop", "channel": "email", "topic": "orders", "on": false}, nil, origin...); st != 403 || !strings.Contains(string(b), "fulfil your contract") {
		t.Fatalf("transactional off: %d %s", st, b)
	}
	privCall(t, m, "POST", "/api/preferences", tok, map[string]any{"site": "shop", "channel": "email", "topic": "campaigns", "on": false}, nil, origin...)
	v = view{}
	if st, _ := privCall(t, m, "GET", "/api/preferences?site=shop", tok, nil, &v, origin...); st != 200 || on(v, "campaigns", "email") || !on(v, "orders", "email") {
		t.Fatalf("after reload: %+v", v)
	}
	mailer := e.token("preferences")
	var d struct {
		Allow  bool   `json:"allow"`
		Reason string `json:"reason"`
	}
	if st, b := privCall(t, m, "GET", "/admin/api/preferences/check?site=shop&user=alice&channel=email&topic=campaigns", mailer, nil, &d); st != 200 || d.Allow || d.Reason != "opted_out" {
		t.Fatalf("mailer check: %d %s", st, b)
	}
	if st, b := privCall(t, m, "GET", "/admin/api/preferences/export?site=shop&channel=email&topic=campaigns", mailer, nil, nil); st != 200 || !strings.Contains(string(b), "opted_out") {
		t.Fatalf("suppression export: %d %s", st, b)
	}
	if st, _ := privCall(t, m, "GET", "/admin/api/requests", mailer, nil, nil); st != 403 {
		t.Fatalf("a mailer token lists requests: %d", st)
	}

	// One-click unsubscribe: bob is on, a link turns him off once.
	privCall(t, m, "POST", "/api/preferences", customerToken("bob", time.Now(), time.Minute), map[string]any{"site": "shop", "channel": "email", "topic": "campaigns", "on": true}, nil, origin...)
	var link struct {
		URL string `json:"url"`
	}
	if st, b := privCall(t, m, "POST", "/admin/api/preferences/links", mailer, map[string]string{"site": "shop", "user": "bob", "channel": "email", "topic": "campaigns"}, &link); st != 200 {
		t.Fatalf("mint link: %d %s", st, b)
	}
	u, _ := url.Parse(link.URL)
	path := u.RequestURI()
	if st, b := privCall(t, m, "GET", path, "", nil, nil); st != 200 || !strings.Contains(string(b), `name="List-Unsubscribe" value="One-Click"`) {
		t.Fatalf("confirm page: %d %s", st, b)
	}
	post := func(p string) (int, string) {
		resp, err := http.Post("http://"+m.Addr+p, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b := make([]byte, 4096)
		n, _ := resp.Body.Read(b)
		return resp.StatusCode, string(b[:n])
	}
	if st, b := post(path[:len(path)-3] + "abc"); st != 403 || !strings.Contains(b, "not valid") {
		t.Fatalf("tampered link: %d %s", st, b)
	}
	if st, b := post(path); st != 200 {
		t.Fatalf("unsubscribe: %d %s", st, b)
	}
	if st, b := post(path); st != 403 || !strings.Contains(b, "used already") {
		t.Fatalf("second use: %d %s", st, b)
	}
	if privCall(t, m, "GET", "/admin/api/preferences/check?site=shop&user=bob&channel=email&topic=campaigns", mailer, nil, &d); d.Allow {
		t.Fatalf("bob still allowed after unsubscribing: %+v", d)
	}

	// A disclosure request, filed by the customer, completed by an operator.
	var r struct {
		ID       string `json:"request_id"`
		State    string `json:"state"`
		Deadline string `json:"deadline"`
	}
	if st, b := privCall(t, m, "POST", "/api/preferences/requests", tok, map[string]string{"site": "shop", "kind": "disclosure"}, &r, origin...); st != 201 || r.State != "received" {
		t.Fatalf("file request: %d %s", st, b)
	}
	if want := time.Now().UTC().AddDate(0, 0, 10).Format("2006-01-02"); !strings.HasPrefix(r.Deadline, want) && !strings.HasPrefix(r.Deadline, time.Now().UTC().AddDate(0, 0, 11).Format("2006-01-02")) {
		t.Errorf("deadline %s, want about %s", r.Deadline, want)
	}
	op := e.token("privacy")
	for _, st := range []string{"verified", "in_progress", "completed"} {
		if code, b := privCall(t, m, "POST", "/admin/api/requests/"+r.ID+"/advance", op, map[string]string{"state": st}, nil); code != 200 {
			t.Fatalf("advance to %s: %d %s", st, code, b)
		}
	}
	var mine struct {
		Requests []struct {
			State string `json:"state"`
		} `json:"requests"`
	}
	if st, b := privCall(t, m, "GET", "/api/preferences/requests?site=shop", tok, nil, &mine, origin...); st != 200 || len(mine.Requests) != 1 || mine.Requests[0].State != "completed" {
		t.Fatalf("customer's requests: %d %s", st, b)
	}
	if st, b := privCall(t, m, "GET", "/api/preferences/export?site=shop", tok, nil, nil, origin...); st != 200 || !strings.Contains(string(b), `"preference_log"`) || !strings.Contains(string(b), `"privacy_requests"`) {
		t.Fatalf("customer export: %d %.300s", st, b)
	}
	if n := e.count("SELECT count() FROM DB.audit_log WHERE action LIKE 'request.%'"); n != 4 {
		t.Errorf("audit rows of request steps: %d, want 4", n)
	}
}

// TestPreferencesCLI: the suppression export and requests from the CLI.
func TestPreferencesCLI(t *testing.T) {
	e, _ := newPrefEnv(t)
	if _, err := e.cli("preferences", "set", "--site", "shop", "--user", "carol", "--topic", "campaigns", "--state", "off"); err != nil {
		t.Fatal(err)
	}
	out, err := e.cli("preferences", "export", "--site", "shop", "--channel", "email", "--topic", "campaigns")
	if err != nil || !strings.Contains(out, "user,reason") || !strings.Contains(out, ",opted_out") || strings.Contains(out, "carol") {
		t.Fatalf("export (user IDs as stored: shop hashes them): %q %v", out, err)
	}
	hashed, err := e.cli("preferences", "export", "--site", "shop", "--topic", "campaigns", "--hash")
	if err != nil || len(strings.Split(strings.TrimSpace(hashed), "\n")[1]) != 64+len(",opted_out") {
		t.Fatalf("hashed export: %q %v", hashed, err)
	}
	filed, err := e.cli("requests", "file", "--site", "shop", "--user", "carol", "--kind", "stop")
	if err != nil {
		t.Fatal(err)
	}
	id := filed[strings.Index(filed, `"request_id": "`)+15:][:36]
	list, err := e.cli("requests", "list")
	if err != nil || !strings.Contains(list, id) {
		t.Fatalf("list: %q %v", list, err)
	}
	if _, err := e.cli("requests", "advance", id, "--state", "completed"); err == nil {
		t.Fatal("received → completed allowed")
	}
	if out, err := e.cli("requests", "advance", id, "--state", "rejected", "--reason", "identity not confirmed"); err != nil || !strings.Contains(out, `"rejected"`) {
		t.Fatalf("reject: %q %v", out, err)
	}
}

// TestCustomerDevices: the preference center lists the browsers linked to
// the customer with their consent decisions, unlinks one, and refuses to
// unlink another customer's; a customer token cannot identify.
func TestCustomerDevices(t *testing.T) {
	_, m := newPrefEnv(t)
	v := privDecide(t, m, "shop", "accept_all", nil, "")
	if st, b := v.identify(t, m, "henry", nil); st != 202 {
		t.Fatalf("identify: %d %s", st, b)
	}
	other := privDecide(t, m, "shop", "accept_all", nil, "")
	other.identify(t, m, "iris", nil)
	tok := customerToken("henry", time.Now(), 5*time.Minute)
	var got struct {
		Devices []struct {
			VisitorID string `json:"visitor_id"`
			Decisions []struct {
				ConsentID string   `json:"consent_id"`
				Revision  int      `json:"revision"`
				Granted   []string `json:"granted"`
			} `json:"decisions"`
		} `json:"devices"`
	}
	if st, b := privCall(t, m, "GET", "/api/preferences/devices?site=shop", tok, nil, &got); st != 200 || len(got.Devices) != 1 ||
		got.Devices[0].VisitorID != v.vid || len(got.Devices[0].Decisions) != 1 || got.Devices[0].Decisions[0].ConsentID != v.consentID ||
		got.Devices[0].Decisions[0].Revision != 1 || len(got.Devices[0].Decisions[0].Granted) == 0 {
		t.Fatalf("devices: %d %s", st, b)
	}
	if st, _ := privCall(t, m, "POST", "/api/preferences/devices/unlink", tok, map[string]string{"site": "shop", "visitor_id": other.vid}, nil); st != 404 {
		t.Fatalf("unlinking another customer's device: %d", st)
	}
	if st, b := privCall(t, m, "POST", "/api/preferences/devices/unlink", tok, map[string]string{"site": "shop", "visitor_id": v.vid}, nil); st != 200 {
		t.Fatalf("unlink: %d %s", st, b)
	}
	got.Devices = nil
	if privCall(t, m, "GET", "/api/preferences/devices?site=shop", tok, nil, &got); len(got.Devices) != 0 {
		t.Fatalf("after unlink: %+v", got.Devices)
	}
	if st, _ := privCall(t, m, "POST", "/api/identify", "", map[string]any{"site": "shop", "assertion": tok, "consent": v.token}, nil); st != 403 {
		t.Fatalf("a customer token identified: %d", st)
	}
}
