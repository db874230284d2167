package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ashiato/ashiato/collector"
)

// eventColumns is the explicit column list of every events insert; ClickHouse
// 18.16 needs one (see CLICKHOUSE.md), and it keeps inserts working when
// columns are added.
var eventColumns = []string{
	"event_id", "site_id", "ts", "received_at", "type", "name",
	"url_host", "url_path", "url_query", "title",
	"referrer", "referrer_host", "referrer_source", "referrer_name",
	"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
	"click_id_type", "click_id", "screen", "lang",
	"browser", "browser_version", "os", "os_version", "device_type", "country",
	"visitor_id", "visitor_hash", "session_id", "user_id", "consent_id", "purposes",
	"is_bot", "bot_reason", "engaged_ms", "scroll_depth", "prop_keys", "prop_values",
}

// InsertEvents writes evs in one INSERT with column-wise appends. A failed
// insert may or may not have landed; see InsertEventsOnce.
func (s *Store) InsertEvents(ctx context.Context, evs []collector.Event) error {
	if len(evs) == 0 {
		return nil
	}
	q := "INSERT INTO " + s.Dialect.DB + ".events (" + strings.Join(eventColumns, ", ") + ")"
	batch, err := s.Conn.PrepareBatch(ctx, q)
	if err != nil {
		return fmt.Errorf("prepare events insert: %w", err)
	}
	defer batch.Close()
	for i, col := range eventValues(evs) {
		if err := batch.Column(i).Append(col); err != nil {
			return fmt.Errorf("append column %s: %w", eventColumns[i], err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send events batch: %w", err)
	}
	return nil
}

// eventValues returns one slice per column of eventColumns, in order.
func eventValues(evs []collector.Event) []any {
	n := len(evs)
	str := func(f func(e *collector.Event) string) []string {
		out := make([]string, n)
		for i := range evs {
			out[i] = f(&evs[i])
		}
		return out
	}
	ids := make([]uuid.UUID, n)
	ts := make([]time.Time, n)
	recv := make([]time.Time, n)
	vhash := make([]uint64, n)
	purposes := make([][]string, n)
	isBot := make([]uint8, n)
	engaged := make([]uint32, n)
	scroll := make([]uint8, n)
	pk := make([][]string, n)
	pv := make([][]string, n)
	for i := range evs {
		e := &evs[i]
		ids[i] = e.EventID
		ts[i] = e.TS
		recv[i] = e.ReceivedAt
		vhash[i] = e.VisitorHash
		purposes[i] = nonNil(e.Purposes)
		if e.IsBot {
			isBot[i] = 1
		}
		engaged[i] = e.EngagedMS
		scroll[i] = e.ScrollDepth
		pk[i] = nonNil(e.PropKeys)
		pv[i] = nonNil(e.PropValues)
	}
	return []any{
		ids, str(func(e *collector.Event) string { return e.SiteID }), ts, recv,
		str(func(e *collector.Event) string { return e.Type }),
		str(func(e *collector.Event) string { return e.Name }),
		str(func(e *collector.Event) string { return e.URLHost }),
		str(func(e *collector.Event) string { return e.URLPath }),
		str(func(e *collector.Event) string { return e.URLQuery }),
		str(func(e *collector.Event) string { return e.Title }),
		str(func(e *collector.Event) string { return e.Referrer }),
		str(func(e *collector.Event) string { return e.RefHost }),
		str(func(e *collector.Event) string { return e.RefSource }),
		str(func(e *collector.Event) string { return e.RefName }),
		str(func(e *collector.Event) string { return e.UTMSource }),
		str(func(e *collector.Event) string { return e.UTMMedium }),
		str(func(e *collector.Event) string { return e.UTMCampaign }),
		str(func(e *collector.Event) string { return e.UTMTerm }),
		str(func(e *collector.Event) string { return e.UTMContent }),
		str(func(e *collector.Event) string { return e.ClickIDType }),
		str(func(e *collector.Event) string { return e.ClickID }),
		str(func(e *collector.Event) string { return e.Screen }),
		str(func(e *collector.Event) string { return e.Lang }),
		str(func(e *collector.Event) string { return e.Browser }),
		str(func(e *collector.Event) string { return e.BrowserVersion }),
		str(func(e *collector.Event) string { return e.OS }),
		str(func(e *collector.Event) string { return e.OSVersion }),
		str(func(e *collector.Event) string { return e.DeviceType }),
		str(func(e *collector.Event) string { return e.Country }),
		str(func(e *collector.Event) string { return e.VisitorID }),
		vhash,
		str(func(e *collector.Event) string { return e.SessionID }),
		str(func(e *collector.Event) string { return e.UserID }),
		str(func(e *collector.Event) string { return e.ConsentID }),
		purposes, isBot,
		str(func(e *collector.Event) string { return e.BotReason }),
		engaged, scroll, pk, pv,
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
