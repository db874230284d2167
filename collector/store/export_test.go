package store

import (
	"context"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/ashiato/ashiato/collector"
)

// AppendColumn appends the values of rows for the events column named
// name to col, as InsertEvents does.
func AppendColumn(col driver.BatchColumn, name string, rows []collector.Event) error {
	for i := range eventColumns {
		if eventColumns[i].name == name {
			var ptrs []*string
			return eventColumns[i].append(col, rows, make([]string, len(rows)), &ptrs)
		}
	}
	panic("no events column " + name)
}

// RunningInserts is runningInserts.
func (s *Store) RunningInserts(ctx context.Context) (uint64, error) {
	return s.runningInserts(ctx, s.insertEventsSQL())
}
