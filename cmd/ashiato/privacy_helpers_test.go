package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/admin"
	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/consent"
	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/collector/store/chtest"
)

// privSitesYAML configures two sites: shop hashes user IDs and keeps raw
// events 30 days; blog keeps them 800 days (so month partitions of the
// last 800 days cannot be dropped whole and shop's old rows go by
// mutation). Shop exports audiences of any size, because the tests'
// audiences are a few people; TestAudienceMinSize checks the refusal.
// Both sign identify assertions with testIdentifyKey; blog hashes user
// IDs by default.
const privSitesYAML = `
sites:
  - id: shop
    hosts: [shop.example]
    origins: ["https://shop.example"]
    hash_user_id: true
    identify_key: ` + testIdentifyKey + `
    retention_days: 30
    ledger_retention_days: 60
    audience_min_size: 1
  - id: blog
    hosts: [blog.example]
    origins: ["https://blog.example"]
    identify_key: ` + testIdentifyKey + `
    retention_days: 800
    ledger_retention_days: 800
`

// testIdentifyKey is the sites' identify key: their back end's secret.
const testIdentifyKey = "test-identify-key-0123456789abcdef"

// privEnv is one test's ClickHouse database, data folder and configuration.
type privEnv struct {
	t       *testing.T
	dsn     string
	dataDir string
	cfgFile string
	st      *store.Store
	logs    *syncBuffer
	extra   []string // more flags of every subcommand (cluster_test.go)
}

func newPrivEnv(t *testing.T) *privEnv {
	t.Helper()
	dsn, _ := chtest.DSN(t)
	e := &privEnv{t: t, dsn: dsn, dataDir: t.TempDir(), logs: &syncBuffer{}}
	e.st = chtest.Open(t, dsn)
	e.writeConfig()
	return e
}

// writeConfig writes privSitesYAML into the environment's config file.
func (e *privEnv) writeConfig() {
	t := e.t
	e.cfgFile = filepath.Join(e.dataDir, "ashiato.yaml")
	if err := os.WriteFile(e.cfgFile, []byte(privSitesYAML), 0o600); err != nil {
		t.Fatal(err)
	}
}

// args are the flags that point a subcommand at this environment.
func (e *privEnv) args() []string {
	return append([]string{"--config", e.cfgFile, "--clickhouse-dsn", e.dsn, "--data-dir", e.dataDir, "--listen", "127.0.0.1:0", "--log-level", "debug"}, e.extra...)
}

func (e *privEnv) config() config.Config {
	e.t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	cfg, err := config.Load(fs, e.args(), func(string) string { return "" })
	if err != nil {
		e.t.Fatal(err)
	}
	return cfg
}

// start runs a collector in-process; tune may adjust its configuration.
func (e *privEnv) start(tune func(m *Main)) *Main {
	e.t.Helper()
	m := &Main{Config: e.config(), Log: newLogger(e.logs, "debug")}
	m.privacy.reloadEvery = 200 * time.Millisecond
	m.privacy.retentionFirst = time.Hour // the tests run it through the admin API
	m.privacy.settle = 300 * time.Millisecond
	m.privacy.eraseEvery = 200 * time.Millisecond
	if tune != nil {
		tune(m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := m.Run(ctx); err != nil {
		m.Close()
		e.t.Fatalf("start collector: %v", err)
	}
	e.t.Cleanup(func() { m.Close() })
	return m
}

// cli runs an ashiato subcommand in-process against this environment.
func (e *privEnv) cli(args ...string) (string, error) {
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	full := append(append([]string{args[0], args[1]}, e.args()...), args[2:]...)
	if code := run(ctx, full, &out, &errb); code != 0 {
		return out.String(), fmt.Errorf("ashiato %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	return out.String(), nil
}

// token creates an admin API token with scopes directly.
func (e *privEnv) token(scopes ...string) string {
	e.t.Helper()
	plain, _, err := (&admin.Tokens{Store: e.st}).Create(context.Background(), "test", scopes)
	if err != nil {
		e.t.Fatal(err)
	}
	return plain
}

func (e *privEnv) count(q string, args ...any) uint64 {
	e.t.Helper()
	var n uint64
	q = strings.ReplaceAll(q, "DB.", e.st.Dialect.DB+".")
	if err := e.st.Conn.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// waitCount polls until the count query answers want.
func (e *privEnv) waitCount(want uint64, q string, args ...any) {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var n uint64
	for time.Now().Before(deadline) {
		if n = e.count(q, args...); n == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatalf("%s = %d, want %d", q, n, want)
}

// call sends a request to the collector and decodes a JSON answer into out
// (if not nil). It returns the status and the raw body.
func privCall(t testing.TB, m *Main, method, path, token string, body any, out any, header ...string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, "http://"+m.Addr+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/plain")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, path, b, err)
		}
	}
	return resp.StatusCode, b
}

// visitor is a browser: its consent token and visitor ID.
type privVisitor struct {
	site, token, vid, consentID string
}

// privDecide records a consent decision for site (token: the previous one).
func privDecide(t testing.TB, m *Main, site, method string, granted []string, prev string) privVisitor {
	t.Helper()
	var cfg struct {
		Revision  int    `json:"revision"`
		TextsHash string `json:"texts_hash"`
	}
	if st, b := privCall(t, m, "GET", "/api/consent/config?site="+site, "", nil, &cfg); st != 200 {
		t.Fatalf("consent config: %d %s", st, b)
	}
	var res struct {
		ConsentID string `json:"consent_id"`
		Token     string `json:"token"`
		VID       string `json:"vid"`
	}
	body := map[string]any{"site": site, "granted": granted, "method": method, "revision": cfg.Revision, "texts_hash": cfg.TextsHash}
	if st, b := privCall(t, m, "POST", "/api/consent", prev, body, &res); st != 200 {
		t.Fatalf("consent %s: %d %s", method, st, b)
	}
	return privVisitor{site: site, token: res.Token, vid: res.VID, consentID: res.ConsentID}
}

func (v privVisitor) hit(t testing.TB, m *Main, path string) {
	t.Helper()
	ev := map[string]any{"site": v.site, "url": "https://" + v.site + ".example" + path, "consent": v.token}
	if v.vid != "" {
		ev["vid"] = v.vid
	}
	if st, b := privCall(t, m, "POST", "/api/event", "", ev, nil); st != 202 {
		t.Fatalf("event: %d %s", st, b)
	}
}

// identify joins userID, vouched for by an assertion as the site's back
// end signs it.
func (v privVisitor) identify(t testing.TB, m *Main, userID string, traits map[string]any) (int, []byte) {
	t.Helper()
	assertion := consent.SignAssertion([]byte(testIdentifyKey), userID, v.site, "", time.Now(), 5*time.Minute)
	return privCall(t, m, "POST", "/api/identify", "", map[string]any{"site": v.site, "assertion": assertion, "traits": traits, "consent": v.token}, nil)
}
