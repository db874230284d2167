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

// Request is one statistics export.
type Request struct {
	Site     string
	Report   string
	From, To time.Time // [From, To)
	K        uint64
}

// Cells reads and suppresses the table of r.
func Cells(ctx context.Context, st *store.Store, r Request) ([]Cell, bool, error) {
	col, ok := Reports[r.Report]
	if !ok {
		return nil, false, collector.Errorf(collector.EInvalid, "report", "report %q: want one of %s", r.Report, strings.Join(ReportNames(), ", "))
	}
	if r.K < 2 {
		return nil, false, collector.Errorf(collector.EInvalid, "k", "k %d: want at least 2", r.K)
	}
	text, err := queries.RenderWith("partner/cells", st.Dialect, struct {
		queries.Dialect
		Dim string
	}{st.Dialect, col})
	if err != nil {
		return nil, false, err
	}
	rows, err := st.Conn.Query(ctx, text, clickhouse.Named("site", r.Site), clickhouse.Named("from", r.From.UTC()), clickhouse.Named("to", r.To.UTC()))
	if err != nil {
		return nil, false, fmt.Errorf("statistics export: %w", err)
	}
	defer rows.Close()
	var cells []Cell
	for rows.Next() {
		var c Cell
		if err := rows.Scan(&c.Value, &c.Pageviews, &c.People); err != nil {
			return nil, false, fmt.Errorf("statistics export: %w", err)
		}
		cells = append(cells, c)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("statistics export: %w", err)
	}
	total := Suppress(cells, r.K)
	return cells, total, nil
}

// Write writes the table as CSV, the rule in its header lines ("#").
func Write(w io.Writer, r Request, cells []Cell, suppressTotal bool) error {
	fmt.Fprintf(w, "# ashiato statistics export: site %s, pageviews by %s, %s to %s (UTC, end excluded)\n",
		r.Site, Reports[r.Report], r.From.UTC().Format(time.RFC3339), r.To.UTC().Format(time.RFC3339))
	fmt.Fprintf(w, "# k-anonymity, k = %d: %s\n", r.K, Rule(r.K))
	cw := csv.NewWriter(w)
	cw.Write([]string{Reports[r.Report], "pageviews", "people"})
	var total uint64
	for _, c := range cells {
		total += c.Pageviews
		pv, people := strconv.FormatUint(c.Pageviews, 10), strconv.FormatUint(c.People, 10)
		if c.Suppressed {
			pv, people = "suppressed", "suppressed"
		}
		cw.Write([]string{privacy.CSVCell(c.Value), pv, people})
	}
	t := strconv.FormatUint(total, 10)
	if suppressTotal {
		t = "suppressed"
	}
	cw.Write([]string{"(total)", t, ""})
	cw.Flush()
	return cw.Error()
}
