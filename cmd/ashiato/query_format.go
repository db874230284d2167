package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/ashiato/ashiato/collector/stats"
)

// outputFormat resolves --format: table on a terminal, else JSON.
func outputFormat(f string, stdout io.Writer) (string, error) {
	switch f {
	case "table", "csv", "json":
		return f, nil
	case "":
		if file, ok := stdout.(*os.File); ok {
			if fi, err := file.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				return "table", nil
			}
		}
		return "json", nil
	}
	return "", fmt.Errorf("format: want table, csv or json, got %q", f)
}

// printAnswer writes a in format.
func printAnswer(w io.Writer, format string, a *stats.Answer) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(a)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(a.Columns)
		for _, r := range a.Results {
			cw.Write(cells(a.Columns, r))
		}
		cw.Flush()
		return cw.Error()
	}
	return printTable(w, a)
}

// printTable writes the results as aligned columns, then the totals, the
// comparison and the coverage in words.
func printTable(w io.Writer, a *stats.Answer) error {
	fmt.Fprintf(w, "%s  site %s  %s – %s  (%s)\n\n", a.Report, a.Site, a.From, a.To, a.TZ)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(a.Columns, "\t"))
	for _, r := range a.Results {
		fmt.Fprintln(tw, strings.Join(cells(a.Columns, r), "\t"))
	}
	tw.Flush()
	fmt.Fprintf(w, "\ntotals: %s\n", keyValues(a.Totals))
	if c := a.Comparison; c != nil {
		fmt.Fprintf(w, "compared with %s – %s: %s\n", c.From, c.To, keyValues(c.Totals))
		var ch []string
		for _, k := range sortedKeys(c.Change) {
			ch = append(ch, fmt.Sprintf("%s %+.1f%%", k, c.Change[k]))
		}
		if len(ch) > 0 {
			fmt.Fprintf(w, "change: %s\n", strings.Join(ch, ", "))
		}
	}
	cv := a.Coverage
	fmt.Fprintf(w, "coverage: %d pageviews, %.1f%% consented, %.1f%% anonymous", cv.Pageviews, 100*cv.ConsentedShare, 100*cv.AnonymousShare)
	if len(cv.Flags) > 0 {
		fmt.Fprintf(w, "; %s", strings.Join(cv.Flags, ", "))
	}
	fmt.Fprintln(w)
	return nil
}

// cells formats a row's values in column order.
func cells(cols []string, r stats.Row) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = cell(r[c])
	}
	return out
}

// cell formats one value: revenue maps as "EUR 12.5 JPY 3000", arrays
// space-separated.
func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case map[string]float64:
		var parts []string
		for _, k := range sortedKeys(x) {
			parts = append(parts, fmt.Sprintf("%s %g", k, x[k]))
		}
		return strings.Join(parts, " ")
	case []uint64, []float64:
		return strings.Trim(fmt.Sprint(x), "[]")
	}
	return fmt.Sprint(v)
}

func keyValues(r stats.Row) string {
	var parts []string
	for _, k := range sortedKeys(r) {
		parts = append(parts, k+"="+cell(r[k]))
	}
	return strings.Join(parts, " ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
