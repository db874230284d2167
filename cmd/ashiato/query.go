package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/queries"
)

// runQuery runs a named query with -p name=value parameters and prints the
// rows as JSON lines.
func runQuery(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("query", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var params multiFlag
	var list bool
	fs.Var(&params, "p", "query parameter name=value (repeatable); from/to as YYYY-MM-DD")
	fs.BoolVar(&list, "list", false, "list the named queries")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: ashiato query [flags] NAME -p site=demo -p from=2026-01-01 -p to=2026-02-01")
		fs.PrintDefaults()
	}
	cfg, err := config.Load(fs, args, os.Getenv)
	if err != nil {
		return err
	}
	if list {
		for _, n := range queries.Names() {
			fmt.Fprintln(stdout, n)
		}
		return nil
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("want exactly one query name (see --list)")
	}
	st, err := store.Open(ctx, cfg.Config, false)
	if err != nil {
		return err
	}
	defer st.Close()
	sql, err := st.Render(fs.Arg(0))
	if err != nil {
		return err
	}
	var named []any
	for _, p := range params {
		k, v, _ := strings.Cut(p, "=")
		if t, err := time.Parse(time.DateOnly, v); err == nil && (k == "from" || k == "to") {
			named = append(named, clickhouse.Named(k, t))
			continue
		}
		named = append(named, clickhouse.Named(k, v))
	}
	rows, err := st.Conn.Query(ctx, sql, named...)
	if err != nil {
		return fmt.Errorf("run %s: %w", fs.Arg(0), err)
	}
	defer rows.Close()
	cols := rows.Columns()
	types := rows.ColumnTypes()
	enc := json.NewEncoder(stdout)
	for rows.Next() {
		vals := make([]any, len(cols))
		for i := range vals {
			vals[i] = newScanTarget(types[i].ScanType())
		}
		if err := rows.Scan(vals...); err != nil {
			return err
		}
		row := make(map[string]any, len(cols))
		for i, c := range cols {
			row[c] = deref(vals[i])
		}
		if err := enc.Encode(row); err != nil {
			return err
		}
	}
	return rows.Err()
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
