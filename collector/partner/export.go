package partner

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/privacy"
	"github.com/ashiato/ashiato/collector/stats"
	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/queries"
)

// Reports are the tables a partner export can give: report → the events
// column it breaks pageviews down by.
var Reports = map[string]string{
	"pages": "url_path", "sources": "referrer_source", "devices": "device_type", "countries": "country",
	"browsers": "browser", "os": "os", "campaigns": "utm_campaign",
}

// ReportNames lists Reports' names in order.
func ReportNames() []string {
	out := make([]string, 0, len(Reports))
	for r := range Reports {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// Request is one statistics export: one report's table, or with By a
// cross table of Report's values (rows) by By's (columns).
type Request struct {
	Site     string
	Report   string
	By       string    // a second report, or ""
	From, To time.Time // [From, To)
	K        uint64
}

// firstDay and endDay bound the days a range may name: events.ts is a
// DateTime, which ends on 2106-02-07, and a bound on or after that day
// reads as 0 and answers an empty table instead of an error.
var (
	firstDay = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	endDay   = time.Date(2106, 2, 7, 0, 0, 0, 0, time.UTC)
)

// checkRange refuses a range [from, to) that is empty, backwards, longer
// than the stats engine's (stats.DefaultMaxDays) or outside what events.ts
// can hold.
func checkRange(from, to time.Time) error {
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	switch days := int(to.Sub(from).Hours() / 24); {
	case from.Before(firstDay):
		return collector.Errorf(collector.EInvalid, "from", "from %s: want %s or later", day(from), day(firstDay))
	case !to.Before(endDay):
		return collector.Errorf(collector.EInvalid, "to", "to %s: want a day before %s", day(to), day(endDay))
	case !to.After(from):
		return collector.Errorf(collector.EInvalid, "to", "to %s is excluded: want a day after from (%s)", day(to), day(from))
	case days > stats.DefaultMaxDays:
		return collector.Errorf(collector.EInvalid, "to", "the range has %d days; at most %d", days, stats.DefaultMaxDays)
	}
	return nil
}

// Result is a suppressed table, ready to write.
type Result struct {
	r             Request
	cells         []Cell // one dimension
	suppressTotal bool
	cross         *Cross // two dimensions
}

// Run reads and suppresses the table of r.
func Run(ctx context.Context, st *store.Store, r Request) (*Result, error) {
	if _, ok := Reports[r.Report]; !ok {
		return nil, collector.Errorf(collector.EInvalid, "report", "report %q: want one of %s", r.Report, strings.Join(ReportNames(), ", "))
	}
	if _, ok := Reports[r.By]; r.By != "" && (!ok || r.By == r.Report) {
		return nil, collector.Errorf(collector.EInvalid, "by", "by %q: want one of %s other than %s", r.By, strings.Join(ReportNames(), ", "), r.Report)
	}
	if r.K < 2 {
		return nil, collector.Errorf(collector.EInvalid, "k", "k %d: want at least 2", r.K)
	}
	if err := checkRange(r.From, r.To); err != nil {
		return nil, err
	}
	pairs, err := read(ctx, st, r)
	if err != nil {
		return nil, err
	}
	res := &Result{r: r}
	if r.By != "" {
		res.cross = newCross(pairs)
		res.cross.Suppress(r.K)
		return res, nil
	}
	for _, p := range pairs {
		res.cells = append(res.cells, Cell{Value: p.Row, Pageviews: p.Pageviews, People: p.People})
	}
	res.suppressTotal = Suppress(res.cells, r.K)
	return res, nil
}

// read runs queries/partner/cells.sql for r.
func read(ctx context.Context, st *store.Store, r Request) ([]pair, error) {
	dim2 := "''"
	if r.By != "" {
		dim2 = Reports[r.By]
	}
	text, err := queries.RenderWith("partner/cells", st.Dialect, struct {
		queries.Dialect
		Dim, Dim2 string
	}{st.Dialect, Reports[r.Report], dim2})
	if err != nil {
		return nil, err
	}
	rows, err := st.Conn.Query(ctx, text, clickhouse.Named("site", r.Site), clickhouse.Named("from", r.From.UTC()), clickhouse.Named("to", r.To.UTC()))
	if err != nil {
		return nil, fmt.Errorf("statistics export: %w", err)
	}
	defer rows.Close()
	var out []pair
	for rows.Next() {
		var p pair
		if err := rows.Scan(&p.Row, &p.Col, &p.Pageviews, &p.People); err != nil {
			return nil, fmt.Errorf("statistics export: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("statistics export: %w", err)
	}
	return out, nil
}

// Counts returns the cells of the table and how many are suppressed.
func (res *Result) Counts() (cells, suppressed int) {
	if res.cross != nil {
		for _, row := range res.cross.Cells {
			for _, c := range row {
				cells++
				if c.Suppressed {
					suppressed++
				}
			}
		}
		return cells, suppressed
	}
	for _, c := range res.cells {
		if c.Suppressed {
			suppressed++
		}
	}
	return len(res.cells), suppressed
}

// Write writes the table as CSV, the rule in its header lines ("#").
func (res *Result) Write(w io.Writer) error {
	r := res.r
	what := Reports[r.Report]
	if r.By != "" {
		what += " and " + Reports[r.By]
	}
	fmt.Fprintf(w, "# ashiato statistics export: site %s, pageviews by %s, %s to %s (UTC, end excluded)\n",
		r.Site, what, r.From.UTC().Format(time.RFC3339), r.To.UTC().Format(time.RFC3339))
	cw := csv.NewWriter(w)
	if res.cross != nil {
		fmt.Fprintf(w, "# k-anonymity, k = %d: %s\n", r.K, CrossRule(r.K))
		res.cross.write(cw, Reports[r.Report], Reports[r.By])
	} else {
		fmt.Fprintf(w, "# k-anonymity, k = %d: %s\n", r.K, Rule(r.K))
		writeCells(cw, Reports[r.Report], res.cells, res.suppressTotal)
	}
	cw.Flush()
	return cw.Error()
}

func writeCells(cw *csv.Writer, dim string, cells []Cell, suppressTotal bool) {
	cw.Write([]string{dim, "pageviews", "people"})
	var total uint64
	for _, c := range cells {
		total += c.Pageviews
		cw.Write(append([]string{privacy.CSVCell(c.Value)}, numbers(c)...))
	}
	cw.Write([]string{"(total)", totalText(Total{total, suppressTotal}), ""})
}

// numbers are a cell's pageviews and people as published.
func numbers(c Cell) []string {
	if c.Suppressed {
		return []string{"suppressed", "suppressed"}
	}
	return []string{strconv.FormatUint(c.Pageviews, 10), strconv.FormatUint(c.People, 10)}
}

func totalText(t Total) string {
	if t.Suppressed {
		return "suppressed"
	}
	return strconv.FormatUint(t.Pageviews, 10)
}

// write writes a cross table in long form: per row, its cells and its
// total; then the column totals and the grand total.
func (t *Cross) write(cw *csv.Writer, rowDim, colDim string) {
	cw.Write([]string{rowDim, colDim, "pageviews", "people"})
	for i, r := range t.Rows {
		for j, c := range t.Cols {
			cw.Write(append([]string{privacy.CSVCell(r), privacy.CSVCell(c)}, numbers(t.Cells[i][j])...))
		}
		cw.Write([]string{privacy.CSVCell(r), "(total)", totalText(t.RowTotals[i]), ""})
	}
	for j, c := range t.Cols {
		cw.Write([]string{"(total)", privacy.CSVCell(c), totalText(t.ColTotals[j]), ""})
	}
	cw.Write([]string{"(total)", "(total)", totalText(t.Grand), ""})
}
