// Package traits imports per-user attributes from outside (the policy's
// "information obtained from group companies and partners"): a CSV or
// JSON Lines file of authenticated user IDs and the traits the site's
// config declares. A file is checked whole before anything is stored: one
// bad row refuses the file, with every bad row's line and field.
package traits

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ashiato/ashiato/collector"
)

// Row is one user's traits from a file, the user ID as the file gives it.
type Row struct {
	Line   int
	UserID string
	Traits map[string]string
}

// LineError is one bad row: its line (1 is the first line of the file;
// for CSV the header) and field.
type LineError struct {
	Line  int
	Field string
	Msg   string
}

func (e LineError) Error() string { return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Msg) }

// FileError is a refused file: every bad row found (up to MaxErrors).
type FileError struct{ Errs []LineError }

func (e *FileError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "refused, nothing imported: %d error(s)", len(e.Errs))
	if len(e.Errs) == MaxErrors {
		b.WriteString(" (the first ones)")
	}
	for _, le := range e.Errs {
		b.WriteString("\n  " + le.Error())
	}
	return b.String()
}

// MaxErrors bounds the bad rows a FileError lists; MaxValue the bytes of a
// value; MaxUserID those of a user ID.
const (
	MaxErrors = 20
	MaxValue  = 256
	MaxUserID = 256
)

// Parse reads a whole file (format "csv" or "jsonl") and checks each row
// against the site's declared traits. Any bad row refuses the file.
func Parse(r io.Reader, format string, site *collector.Site) ([]Row, error) {
	var rows []Row
	var errs []LineError
	add := func(e LineError) bool {
		if len(errs) < MaxErrors {
			errs = append(errs, e)
		}
		return len(errs) < MaxErrors
	}
	var err error
	switch format {
	case "csv":
		rows, err = parseCSV(r, site, add)
	case "jsonl":
		rows, err = parseJSONL(r, site, add)
	default:
		return nil, fmt.Errorf("format %q: want csv or jsonl", format)
	}
	if err != nil {
		return nil, err
	}
	seen := map[string]int{}
	for _, row := range rows {
		if first, ok := seen[row.UserID]; ok {
			if !add(LineError{row.Line, "user_id", fmt.Sprintf("user ID repeated (first on line %d)", first)}) {
				break
			}
		}
		seen[row.UserID] = row.Line
	}
	if len(errs) > 0 {
		return nil, &FileError{Errs: errs}
	}
	return rows, nil
}

func parseCSV(r io.Reader, site *collector.Site, add func(LineError) bool) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &FileError{Errs: []LineError{{1, "header", "empty file"}}}
		}
		return nil, &FileError{Errs: []LineError{{1, "header", err.Error()}}}
	}
	if len(head) > 0 {
		head[0] = strings.TrimPrefix(head[0], "\ufeff")
	}
	if !slices.Contains(head, "user_id") {
		return nil, &FileError{Errs: []LineError{{1, "header", "no user_id column"}}}
	}
	for _, h := range head {
		if h != "user_id" && site.Trait(h) == nil {
			return nil, &FileError{Errs: []LineError{{1, h, "not a trait declared in the site's config"}}}
		}
	}
	var rows []Row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			add(LineError{line, "row", err.Error()})
			return rows, nil // the rest of a broken CSV cannot be trusted
		}
		if len(rec) != len(head) {
			if !add(LineError{line, "row", fmt.Sprintf("%d fields, the header has %d", len(rec), len(head))}) {
				return rows, nil
			}
			continue
		}
		vals := map[string]string{}
		for i, h := range head {
			vals[h] = rec[i]
		}
		if row, ok := check(line, vals, site, add); ok {
			rows = append(rows, row)
		}
	}
}

func parseJSONL(r io.Reader, site *collector.Site, add func(LineError) bool) ([]Row, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var rows []Row
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var obj map[string]any
		if err := json.Unmarshal(b, &obj); err != nil {
			if !add(LineError{line, "row", "not a JSON object: " + err.Error()}) {
				return rows, nil
			}
			continue
		}
		vals := map[string]string{}
		bad := false
		for k, v := range obj {
			if k != "user_id" && site.Trait(k) == nil {
				bad = true
				if !add(LineError{line, k, "not a trait declared in the site's config"}) {
					return rows, nil
				}
				continue
			}
			switch v := v.(type) {
			case string:
				vals[k] = v
			case float64:
				vals[k] = strconv.FormatFloat(v, 'f', -1, 64)
			case bool:
				vals[k] = strconv.FormatBool(v)
			case nil:
				vals[k] = ""
			default:
				bad = true
				if !add(LineError{line, k, "want a string, number or boolean"}) {
					return rows, nil
				}
			}
		}
		if bad {
			continue
		}
		if row, ok := check(line, vals, site, add); ok {
			rows = append(rows, row)
		}
	}
	if err := sc.Err(); err != nil {
		add(LineError{line + 1, "row", err.Error()})
	}
	return rows, nil
}

// check validates one row's values (empty: the trait is not given).
func check(line int, vals map[string]string, site *collector.Site, add func(LineError) bool) (Row, bool) {
	row := Row{Line: line, UserID: strings.TrimSpace(vals["user_id"]), Traits: map[string]string{}}
	ok := true
	switch {
	case row.UserID == "":
		add(LineError{line, "user_id", "missing"})
		ok = false
	case len(row.UserID) > MaxUserID || !utf8.ValidString(row.UserID):
		add(LineError{line, "user_id", "longer than 256 bytes or not UTF-8"})
		ok = false
	}
	for k, v := range vals {
		if k == "user_id" {
			continue
		}
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		norm, err := value(site.Trait(k), v)
		if err != nil {
			add(LineError{line, k, err.Error()})
			ok = false
			continue
		}
		row.Traits[k] = norm
	}
	return row, ok
}

var phoneRE = regexp.MustCompile(`^\+[0-9][0-9 ()\-.]{6,24}$`)

// value checks v against the declared trait and returns it as stored.
func value(d *collector.TraitDef, v string) (string, error) {
	if len(v) > MaxValue || !utf8.ValidString(v) {
		return "", fmt.Errorf("longer than %d bytes or not UTF-8", MaxValue)
	}
	switch d.Type {
	case collector.TraitEnum:
		if !slices.Contains(d.Values, v) {
			return "", fmt.Errorf("%q is not one of %s", v, strings.Join(d.Values, ", "))
		}
	case collector.TraitInt:
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return "", fmt.Errorf("%q is not a whole number", v)
		}
	case collector.TraitBool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return "", fmt.Errorf("%q is not true or false", v)
		}
		return strconv.FormatBool(b), nil
	case collector.TraitEmail:
		a, err := mail.ParseAddress(v)
		if err != nil || a.Address != v {
			return "", fmt.Errorf("%q is not an e-mail address", v)
		}
	case collector.TraitPhone:
		if !phoneRE.MatchString(v) {
			return "", fmt.Errorf("%q is not a phone number in international form (+ and the country code)", v)
		}
	}
	return v, nil
}
