package stats

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"sync"

	"github.com/ashiato/ashiato/collector"
)

// Row is one row of an answer: the dimension's value under its name and
// one value per metric.
type Row map[string]any

// Answer is what the engine answers; its JSON is the contract of
// `ashiato query --format json` and /admin/api/stats/{report}.
type Answer struct {
	Report     string      `json:"report"`
	Site       string      `json:"site"`
	From       string      `json:"from"`
	To         string      `json:"to"`
	TZ         string      `json:"tz"`
	Columns    []string    `json:"columns"`
	Results    []Row       `json:"results"`
	Totals     Row         `json:"totals"`
	Comparison *Comparison `json:"comparison"`
	Coverage   Coverage    `json:"coverage"`
	// AsOf is when an answer of the archive was computed (RFC 3339);
	// empty for an answer computed for this request (Archive).
	AsOf string `json:"as_of,omitempty"`
}

// Comparison is the same question over the comparison range.
type Comparison struct {
	From     string             `json:"from"`
	To       string             `json:"to"`
	Results  []Row              `json:"results"`
	Totals   Row                `json:"totals"`
	Change   map[string]float64 `json:"change"` // % change of each total metric
	Coverage Coverage           `json:"coverage"`
}

// Run answers q: from the archive when q is a question of a site's
// default view kept there (Archive), otherwise live. Bad questions are
// *collector.Error (EInvalid with the field, ENotFound for an unknown
// site); a failing ClickHouse is EUnavailable, its message only in the log.
func (e *Engine) Run(ctx context.Context, q Question) (*Answer, error) {
	if e.Archive != nil {
		if a := e.Archive.answer(q); a != nil {
			return a, nil
		}
	}
	return e.live(ctx, q, 0)
}

// live computes q's answer now; threads > 0 runs every statement on at
// most that many of the server's threads.
func (e *Engine) live(ctx context.Context, q Question, threads int) (*Answer, error) {
	p, err := e.Plan(q)
	if err != nil {
		return nil, err
	}
	p.capThreads = threads
	e.useRollup(ctx, p)
	a := &Answer{Report: q.Report, Site: q.Site, From: p.rng.FromDay, To: p.rng.ToDay, TZ: p.tz, Columns: p.columns()}
	var c *Comparison
	ask := []func() error{func() (err error) {
		a.Results, a.Totals, a.Coverage, err = e.answer(ctx, p, p.rng)
		return err
	}}
	if p.compare != "" { // the two periods are asked at once
		r := p.rng.Shift(p.compare)
		c = &Comparison{From: r.FromDay, To: r.ToDay}
		ask = append(ask, func() (err error) {
			c.Results, c.Totals, c.Coverage, err = e.answer(ctx, p, r)
			return err
		})
	}
	if err := parallel(ask...); err != nil {
		return nil, err
	}
	if c != nil {
		c.Change = change(a.Totals, c.Totals, p.metrics)
		a.Comparison = c
	}
	return a, nil
}

// parallel runs fns at once and returns the first error. The statements
// of one answer are independent: while one waits on a single-threaded
// step of the server (planning, merging, sorting) another computes.
func parallel(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i+1] = fn()
		}()
	}
	errs[0] = fns[0]()
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// answer runs the plan's statements over r and shapes the rows.
func (e *Engine) answer(ctx context.Context, p *plan, r Range) ([]Row, Row, Coverage, error) {
	sts, err := p.statements(r)
	if err != nil {
		return nil, nil, Coverage{}, fmt.Errorf("render %s: %w", p.report.Name, err)
	}
	var res, tot []Row
	var totals Row
	ask := []func() error{func() (err error) {
		res, totals, err = e.query(ctx, sts[0])
		return err
	}}
	separate := !sts[0].Totals && sts[1].SQL != sts[0].SQL // a statement of their own for the totals
	if separate {
		ask = append(ask, func() (err error) {
			tot, _, err = e.query(ctx, sts[1])
			return err
		})
	}
	if err := parallel(ask...); err != nil {
		return nil, nil, Coverage{}, err
	}
	switch {
	case sts[0].Totals: // WITH TOTALS: the results carry the coverage metrics too
		for _, row := range res {
			for _, m := range coverageMetrics {
				if !slices.Contains(p.metrics, m) {
					delete(row, m)
				}
			}
		}
	case separate:
		if len(tot) > 0 {
			totals = tot[0]
		}
	case len(res) > 0:
		totals = res[0]
	}
	if totals == nil {
		totals = Row{}
	}
	for _, m := range totalMetrics(p.metrics) {
		if _, ok := totals[m]; !ok {
			totals[m] = zero(m)
		}
	}
	delete(totals, "dim")
	cov := coverage(totals, p, r)
	for _, m := range coverageMetrics {
		if !slices.Contains(p.metrics, m) {
			delete(totals, m)
		}
	}
	return p.shape(res, totals, r), totals, cov, nil
}

// TotalsRow marks the totals row of a WITH TOTALS statement among the
// rows a Runner returns.
const TotalsRow = "__totals"

// query runs one statement and returns its rows, columns by name, and its
// totals row when the statement has one (Statement.Totals); the revenue
// columns are joined into one map per row.
func (e *Engine) query(ctx context.Context, st Statement) ([]Row, Row, error) {
	if e.Runner != nil {
		out, err := e.Runner(ctx, st)
		if err != nil {
			return nil, nil, e.failed(st, err)
		}
		var rows []Row
		var totals Row
		for _, row := range out {
			finish(row)
			if _, ok := row[TotalsRow]; ok {
				delete(row, TotalsRow)
				totals = row
				continue
			}
			rows = append(rows, row)
		}
		return rows, totals, nil
	}
	rows, err := e.Conn.Query(ctx, st.SQL, NamedArgs(st.Params)...)
	if err != nil {
		return nil, nil, e.failed(st, err)
	}
	defer rows.Close()
	cols, types := rows.Columns(), rows.ColumnTypes()
	scan := func(fn func(...any) error) (Row, error) {
		ptrs := make([]any, len(cols))
		for i := range ptrs {
			ptrs[i] = reflect.New(types[i].ScanType()).Interface()
		}
		if err := fn(ptrs...); err != nil {
			return nil, err
		}
		row := Row{}
		for i, c := range cols {
			row[c] = reflect.ValueOf(ptrs[i]).Elem().Interface()
		}
		finish(row)
		return row, nil
	}
	var out []Row
	for rows.Next() {
		row, err := scan(rows.Scan)
		if err != nil {
			return nil, nil, e.failed(st, err)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, e.failed(st, err)
	}
	var totals Row
	if st.Totals {
		if totals, err = scan(rows.Totals); err != nil {
			totals = nil // no totals block: no rows at all; the metrics are zero
		}
	}
	return out, totals, nil
}

// failed logs the server's error and answers a safe one.
func (e *Engine) failed(st Statement, err error) error {
	if e.Log != nil {
		e.Log.Error("stats query failed", "statement", st.Name, "err", err)
	}
	return collector.Errorf(collector.EUnavailable, "", "the stats query failed on ClickHouse; the server log has the cause")
}

// finish rounds the ratios, cleans NaN and joins the revenue columns.
func finish(row Row) {
	for k, v := range row {
		v = clean(v)
		if d, ok := decimals[k]; ok {
			if f, isNum := number(v); isNum {
				v = round(f, d)
			}
		}
		row[k] = v
	}
	joinRevenue(row)
}

// clean turns NaN and infinities (an average over nothing) into 0.
func clean(v any) any {
	if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
		return 0.0
	}
	return v
}

// joinRevenue replaces the revenue columns with {currency: amount}.
func joinRevenue(row Row) {
	cur, ok1 := row["revenue_currencies"].([]string)
	amt, ok2 := row["revenue_amounts"].([]float64)
	if !ok1 || !ok2 {
		return
	}
	m := map[string]float64{}
	for i, c := range cur {
		if i < len(amt) {
			m[c] = math.Round(amt[i]*100) / 100
		}
	}
	row["revenue"] = m
	delete(row, "revenue_currencies")
	delete(row, "revenue_amounts")
}

// zero is a metric's value when there is no data.
func zero(metric string) any {
	if metric == "revenue" {
		return map[string]float64{}
	}
	return 0
}

// change is the % change of each numeric total from was to now; a metric
// that was 0 has no change.
func change(now, was Row, metrics []string) map[string]float64 {
	out := map[string]float64{}
	for _, m := range metrics {
		a, ok1 := number(now[m])
		b, ok2 := number(was[m])
		if ok1 && ok2 && b != 0 {
			out[m] = math.Round((a-b)/b*1000) / 10
		}
	}
	return out
}

// number returns v as a float64 when it is a number of any Go type.
func number(v any) (float64, bool) {
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(r.Uint()), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(r.Int()), true
	case reflect.Float32, reflect.Float64:
		return r.Float(), true
	}
	return 0, false
}

// sortRows orders rows by key, for series filled in Go.
func sortRows(rows []Row, key string) {
	sort.SliceStable(rows, func(i, j int) bool { return fmt.Sprint(rows[i][key]) < fmt.Sprint(rows[j][key]) })
}
