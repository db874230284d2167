package seed

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/consent"
)

// memSink keeps what it is given.
type memSink struct {
	recs      []Record
	decisions []consent.Decision
}

func (m *memSink) Records(_ context.Context, recs []Record) error {
	m.recs = append(m.recs, recs...)
	return nil
}

func (m *memSink) Decisions(_ context.Context, ds []consent.Decision) error {
	m.decisions = append(m.decisions, ds...)
	return nil
}

var testEnd = time.Date(2026, 11, 30, 15, 4, 5, 0, time.UTC)

func generate(tb testing.TB, cfg Config) (*memSink, Totals) {
	tb.Helper()
	m := &memSink{}
	tot, err := Run(context.Background(), cfg, m, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return m, tot
}

// The generated traffic has the shares the command promises, counted here
// from the events themselves.
func TestGenerateShares(t *testing.T) {
	const n = 50000
	m, tot := generate(t, Config{Site: "demo", Events: n, Days: 30, End: testEnd, Seed: 7, Batch: 4096})
	if len(m.recs) != n || tot.Events != n {
		t.Fatalf("%d records (totals %d), want %d", len(m.recs), tot.Events, n)
	}
	var consented, bots, pageviews int
	sessions := map[string]int{}
	currencies := map[string]int{}
	var revenue, engaged, campaigns, clickIDs int
	first := testEnd.Truncate(24*time.Hour).AddDate(0, 0, -29)
	for _, r := range m.recs {
		e := &r.Event
		if e.TS.Before(first) || e.TS.After(testEnd) {
			t.Fatalf("event at %s outside [%s, %s]", e.TS, first, testEnd)
		}
		if e.VisitorID != "" {
			consented++
			if e.SessionID == "" || e.ConsentID == "" || e.VisitorHash != 0 || len(e.Purposes) < 2 {
				t.Fatalf("consented event without session, consent or purposes: %+v", e)
			}
		} else if e.SessionID != "" || e.VisitorHash == 0 || e.UserID != "" || e.ConsentID != "" && r.Visitor.Method == "" {
			t.Fatalf("anonymous event with identifiers: %+v", e)
		}
		if e.IsBot {
			bots++
			if e.DeviceType != "bot" || e.BotReason == "" {
				t.Fatalf("bot event with device %q, reason %q", e.DeviceType, e.BotReason)
			}
		}
		if e.Type == collector.TypePageview {
			pageviews++
			if e.SessionID != "" {
				sessions[e.SessionID]++
			}
		}
		if i := indexOf(e.PropKeys, "revenue"); i >= 0 {
			revenue++
			currencies[e.PropValues[indexOf(e.PropKeys, "currency")]]++
		}
		if e.Type == collector.TypeEngagement && e.EngagedMS > 0 {
			engaged++
		}
		if e.UTMCampaign != "" {
			campaigns++
		}
		if e.ClickID != "" {
			clickIDs++
			if !contains(e.Purposes, "advertising") {
				t.Fatalf("click ID without advertising consent: %+v", e)
			}
		}
	}
	share := func(k int) float64 { return float64(k) / n }
	if s := share(consented); s < 0.33 || s > 0.47 {
		t.Errorf("consented share %.3f, want about 0.40", s)
	}
	if s := share(bots); s < 0.01 || s > 0.08 {
		t.Errorf("bot share %.3f, want a few per cent", s)
	}
	var multi int
	for _, pv := range sessions {
		if pv >= 3 {
			multi++
		}
	}
	if len(sessions) == 0 || float64(multi)/float64(len(sessions)) < 0.3 {
		t.Errorf("%d of %d sessions have 3 or more pages, want at least 30 %%", multi, len(sessions))
	}
	if len(currencies) != 2 || currencies["JPY"] == 0 || currencies["USD"] == 0 {
		t.Errorf("revenue currencies %v, want JPY and USD", currencies)
	}
	if revenue < 20 || engaged < n/10 || campaigns < n/100 || clickIDs == 0 || pageviews < n/3 {
		t.Errorf("revenue events %d, engagement %d, campaign events %d, click IDs %d, pageviews %d: too few",
			revenue, engaged, campaigns, clickIDs, pageviews)
	}
	if tot.Decisions != len(m.decisions) || len(m.decisions) == 0 {
		t.Errorf("%d decisions, totals say %d", len(m.decisions), tot.Decisions)
	}
}

// The same configuration gives the same traffic; another seed other traffic.
func TestGenerateDeterministic(t *testing.T) {
	cfg := Config{Site: "demo", Events: 3000, Days: 5, End: testEnd, Seed: 42}
	a, _ := generate(t, cfg)
	b, _ := generate(t, cfg)
	for i := range a.recs {
		if !reflect.DeepEqual(a.recs[i].Event, b.recs[i].Event) {
			t.Fatalf("event %d differs between two runs:\n%+v\n%+v", i, a.recs[i].Event, b.recs[i].Event)
		}
	}
	cfg.Seed = 43
	c, _ := generate(t, cfg)
	if reflect.DeepEqual(a.recs[0].Event, c.recs[0].Event) {
		t.Fatal("seeds 42 and 43 gave the same first event")
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"ok", Config{Site: "s", Events: 1, Days: 1}, true},
		{"no site", Config{Events: 1, Days: 1}, false},
		{"no events", Config{Site: "s", Days: 1}, false},
		{"no days", Config{Site: "s", Events: 1}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cfg.Validate(); (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func contains(list []string, s string) bool { return indexOf(list, s) >= 0 }
