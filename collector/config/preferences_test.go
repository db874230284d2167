package config

import (
	"strings"
	"testing"

	"github.com/ashiato/ashiato/collector"
)

func TestPreferencesConfig(t *testing.T) {
	title := collector.Text{"ja": "キャンペーン", "en": "Campaigns"}
	reason := collector.Text{"ja": "契約に必要", "en": "needed for the contract"}
	tests := []struct {
		name   string
		prefs  collector.Preferences
		errHas string
	}{
		{"defaults", collector.Preferences{Topics: []collector.NoticeTopic{{ID: "campaigns", Title: title}}}, ""},
		{"transactional with a reason", collector.Preferences{Topics: []collector.NoticeTopic{{ID: "orders", Title: title, Transactional: true, Reason: reason}}}, ""},
		{"bad id", collector.Preferences{Topics: []collector.NoticeTopic{{ID: "Camp aigns", Title: title}}}, "topics[0]: id"},
		{"twice", collector.Preferences{Topics: []collector.NoticeTopic{{ID: "a", Title: title}, {ID: "a", Title: title}}}, "declared twice"},
		{"no Japanese title", collector.Preferences{Topics: []collector.NoticeTopic{{ID: "a", Title: collector.Text{"en": "A"}}}}, "want ja and en"},
		{"unknown channel", collector.Preferences{Topics: []collector.NoticeTopic{{ID: "a", Title: title, Channels: []string{"fax"}}}}, `channel "fax"`},
		{"transactional without a reason", collector.Preferences{Topics: []collector.NoticeTopic{{ID: "a", Title: title, Transactional: true}}}, "want a reason"},
		{"deadline out of range", collector.Preferences{RequestDeadlineDays: 400}, "request_deadline_days 400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := collector.Site{ID: "shop", Hosts: []string{"shop.example"}, Preferences: tt.prefs}
			err := FinishSite(&s)
			if tt.errHas == "" {
				if err != nil {
					t.Fatal(err)
				}
				if s.Preferences.RequestDeadlineDays != DefaultRequestDeadlineDays || len(s.Preferences.Topics[0].Channels) != 3 {
					t.Fatalf("defaults not filled: %+v", s.Preferences)
				}
				if tp := s.Preferences.Topics[0]; tp.Transactional && !tp.Default {
					t.Fatal("a transactional topic is not on by default")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errHas) || !strings.Contains(err.Error(), "site shop") {
				t.Fatalf("FinishSite: %v, want an error naming %q", err, tt.errHas)
			}
		})
	}
}
