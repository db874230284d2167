package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/pace"
	"github.com/ashiato/ashiato/queries"
)

// eventColumns are the columns of every events insert, in order, each with
// how its values are taken from an event. The explicit column list is what
// ClickHouse 18.16 needs (see CLICKHOUSE.md), and it keeps inserts working
// when columns are added.
var eventColumns = []eventColumn{
	{name: "event_id", typed: func(evs []collector.Event) any {
		return each(evs, func(e *collector.Event) uuid.UUID { return e.EventID })
	}},
	{name: "site_id", str: func(e *collector.Event) string { return e.SiteID }},
	{name: "ts", typed: func(evs []collector.Event) any {
		return each(evs, func(e *collector.Event) time.Time { return e.TS })
	}},
	{name: "received_at", typed: func(evs []collector.Event) any {
		return each(evs, func(e *collector.Event) time.Time { return e.ReceivedAt })
	}},
	{name: "type", str: func(e *collector.Event) string { return e.Type }},
	{name: "name", str: func(e *collector.Event) string { return e.Name }},
	{name: "url_host", str: func(e *collector.Event) string { return e.URLHost }},
	{name: "url_path", str: func(e *collector.Event) string { return e.URLPath }},
	{name: "url_query", str: func(e *collector.Event) string { return e.URLQuery }},
	{name: "title", str: func(e *collector.Event) string { return e.Title }},
	{name: "referrer", str: func(e *collector.Event) string { return e.Referrer }},
	{name: "referrer_host", str: func(e *collector.Event) string { return e.RefHost }},
	{name: "referrer_source", str: func(e *collector.Event) string { return e.RefSource }},
	{name: "referrer_name", str: func(e *collector.Event) string { return e.RefName }},
	{name: "utm_source", str: func(e *collector.Event) string { return e.UTMSource }},
	{name: "utm_medium", str: func(e *collector.Event) string { return e.UTMMedium }},
	{name: "utm_campaign", str: func(e *collector.Event) string { return e.UTMCampaign }},
	{name: "utm_term", str: func(e *collector.Event) string { return e.UTMTerm }},
	{name: "utm_content", str: func(e *collector.Event) string { return e.UTMContent }},
	{name: "click_id_type", str: func(e *collector.Event) string { return e.ClickIDType }},
	{name: "click_id", str: func(e *collector.Event) string { return e.ClickID }},
	{name: "screen", str: func(e *collector.Event) string { return e.Screen }},
	{name: "lang", str: func(e *collector.Event) string { return e.Lang }},
	{name: "browser", str: func(e *collector.Event) string { return e.Browser }},
	{name: "browser_version", str: func(e *collector.Event) string { return e.BrowserVersion }},
	{name: "os", str: func(e *collector.Event) string { return e.OS }},
	{name: "os_version", str: func(e *collector.Event) string { return e.OSVersion }},
	{name: "device_type", str: func(e *collector.Event) string { return e.DeviceType }},
	{name: "country", str: func(e *collector.Event) string { return e.Country }},
	{name: "visitor_id", str: func(e *collector.Event) string { return e.VisitorID }},
	{name: "visitor_hash", typed: func(evs []collector.Event) any {
		return each(evs, func(e *collector.Event) uint64 { return e.VisitorHash })
	}},
	{name: "session_id", str: func(e *collector.Event) string { return e.SessionID }},
	{name: "user_id", str: func(e *collector.Event) string { return e.UserID }},
	{name: "consent_id", str: func(e *collector.Event) string { return e.ConsentID }},
	{name: "purposes", list: func(e *collector.Event) []string { return e.Purposes }},
	{name: "is_bot", typed: func(evs []collector.Event) any {
		return each(evs, func(e *collector.Event) uint8 {
			if e.IsBot {
				return 1
			}
			return 0
		})
	}},
	{name: "bot_reason", str: func(e *collector.Event) string { return e.BotReason }},
	{name: "engaged_ms", typed: func(evs []collector.Event) any {
		return each(evs, func(e *collector.Event) uint32 { return e.EngagedMS })
	}},
	{name: "scroll_depth", typed: func(evs []collector.Event) any {
		return each(evs, func(e *collector.Event) uint8 { return e.ScrollDepth })
	}},
	{name: "prop_keys", list: func(e *collector.Event) []string { return e.PropKeys }},
	{name: "prop_values", list: func(e *collector.Event) []string { return e.PropValues }},
}

// eventColumn is one column of the events insert; exactly one of str
// (String), list (Array(String)) and typed (a whole typed column) is set.
type eventColumn struct {
	name  string
	str   func(*collector.Event) string
	list  func(*collector.Event) []string
	typed func([]collector.Event) any
}

// eventInsert is the INSERT statement of the events table, without the
// database name.
var eventInsert = func() string {
	names := make([]string, len(eventColumns))
	for i, c := range eventColumns {
		names[i] = c.name
	}
	return "events (" + strings.Join(names, ", ") + ")"
}()

// eventInsertLocal is eventInsert into the shard table of a cluster node.
var eventInsertLocal = strings.Replace(eventInsert, "events ", "events"+queries.LocalSuffix+" ", 1)

// insertEventsSQL is the statement of every events insert.
// With clickhouse_insert_local on a cluster it writes into this node's
// shard table (events_local).
func (s *Store) insertEventsSQL() string {
	if s.insertLocal {
		return "INSERT INTO " + s.Dialect.DB + "." + eventInsertLocal
	}
	return "INSERT INTO " + s.Dialect.DB + "." + eventInsert
}

// InsertEvents writes evs in one INSERT. A failed insert may or may not
// have landed, in whole or in part; see InsertEventsOnce.
//
// The rows go to the server in blocks of blockRows, which the server
// squashes back into one part per partition (min_insert_block_size_rows is
// about a million). Sending in blocks keeps the collector's side of an
// insert small and even: clickhouse-go reuses one block's column buffers
// for the next instead of growing them to the whole batch (the largest
// allocation of the collector under load), and the writer yields between
// blocks (package pace) instead of encoding a second's worth of rows in one
// stretch while request handlers wait.
func (s *Store) InsertEvents(ctx context.Context, evs []collector.Event) error {
	if len(evs) == 0 {
		return nil
	}
	batch, err := s.Conn.PrepareBatch(ctx, s.insertEventsSQL())
	if err != nil {
		return fmt.Errorf("prepare events insert: %w", err)
	}
	defer batch.Close()
	scratch := make([]string, min(len(evs), blockRows))
	ptrs := make([]*string, 0, 16)
	var y pace.Yielder
	for lo := 0; lo < len(evs); lo += blockRows {
		rows := evs[lo:min(lo+blockRows, len(evs))]
		for i := range eventColumns {
			if err := eventColumns[i].append(batch.Column(i), rows, scratch, &ptrs); err != nil {
				return fmt.Errorf("append column %s: %w", eventColumns[i].name, err)
			}
			y.Steps(len(rows))
		}
		if lo+len(rows) < len(evs) { // the last block goes with Send
			if err := batch.Flush(); err != nil {
				return fmt.Errorf("send events block: %w", err)
			}
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send events batch: %w", err)
	}
	return nil
}

// blockRows is how many rows go to the server in one block.
const blockRows = 1024

// append appends the column's values of rows; the String columns share
// scratch (len(rows) or more) and the Array(String) columns ptrs, as
// clickhouse-go copies the bytes.
func (c *eventColumn) append(col driver.BatchColumn, rows []collector.Event, scratch []string, ptrs *[]*string) error {
	switch {
	case c.str != nil:
		for j := range rows {
			scratch[j] = c.str(&rows[j])
		}
		return col.Append(scratch[:len(rows)])
	case c.list != nil:
		// Row by row: a [][]string goes through clickhouse-go's
		// reflection, a row through its typed path. The row is passed as
		// pointers to its values, which AppendRow copies at once: it hands
		// each element to the inner String column as an interface, and a
		// pointer goes into one without the allocation a string costs.
		for j := range rows {
			list := c.list(&rows[j])
			*ptrs = (*ptrs)[:0]
			for k := range list {
				*ptrs = append(*ptrs, &list[k])
			}
			if err := col.AppendRow(*ptrs); err != nil {
				return err
			}
		}
		return nil
	default:
		return col.Append(c.typed(rows))
	}
}

// each returns f of every event of evs.
func each[T any](evs []collector.Event, f func(*collector.Event) T) []T {
	out := make([]T, len(evs))
	for i := range evs {
		out[i] = f(&evs[i])
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
