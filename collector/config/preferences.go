package config

import (
	"fmt"
	"slices"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/segment"
)

// DefaultRequestDeadlineDays is the default number of calendar days within
// which a request for disclosure, stop of use or erasure is answered.
const DefaultRequestDeadlineDays = 14

// checkPreferences checks a site's preference center: each notice topic
// has a unique valid ID, a title in Japanese and English, known channels
// (default: all), and, when transactional, a reason in both languages (a
// transactional topic is always on).
func checkPreferences(s *collector.Site) error {
	p := &s.Preferences
	switch {
	case p.RequestDeadlineDays == 0:
		p.RequestDeadlineDays = DefaultRequestDeadlineDays
	case p.RequestDeadlineDays < 1 || p.RequestDeadlineDays > 366:
		return fmt.Errorf("site %s: preferences.request_deadline_days %d: want 1 to 366", s.ID, p.RequestDeadlineDays)
	}
	seen := map[string]bool{}
	for i := range p.Topics {
		t := &p.Topics[i]
		where := fmt.Sprintf("site %s: preferences.topics[%d]", s.ID, i)
		if err := segment.CheckName(t.ID); err != nil {
			return fmt.Errorf("%s: id %q: want a-z 0-9 - _ starting with a letter", where, t.ID)
		}
		where = fmt.Sprintf("site %s: preference topic %s", s.ID, t.ID)
		if seen[t.ID] {
			return fmt.Errorf("%s: declared twice", where)
		}
		seen[t.ID] = true
		if t.Title["ja"] == "" || t.Title["en"] == "" {
			return fmt.Errorf("%s: title: want ja and en texts", where)
		}
		if len(t.Channels) == 0 {
			t.Channels = slices.Clone(collector.Channels)
		}
		for _, c := range t.Channels {
			if !slices.Contains(collector.Channels, c) {
				return fmt.Errorf("%s: channel %q: want email, sms or post", where, c)
			}
		}
		if t.Transactional {
			if t.Reason["ja"] == "" || t.Reason["en"] == "" {
				return fmt.Errorf("%s: transactional: want a reason in ja and en (why it cannot be turned off)", where)
			}
			t.Default = true
		}
	}
	return nil
}
