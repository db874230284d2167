package audience

import (
	"encoding/csv"
	"fmt"
	"io"

	"github.com/ashiato/ashiato/collector/privacy"
)

// Export formats.
const (
	FormatCSV    = "csv"                   // visitor_id,user_id: for the site's own systems, not a platform
	FormatGoogle = "google-customer-match" // Email,Phone, SHA-256 of Google's normal forms
	FormatMeta   = "meta"                  // email,phone,extern_id, SHA-256 of Meta's normal forms
)

// Formats are the export formats, in the order the CLI lists them.
var Formats = []string{FormatCSV, FormatGoogle, FormatMeta}

// Person is one exported person: the IDs ashiato knows them by and the
// contact traits of their linked user ID, if any.
type Person struct {
	VisitorID string // one of the person's visitor IDs, "" when only a user ID is known
	UserID    string // as stored (a keyed hash when the site hashes user IDs)
	Email     string
	Phone     string
}

// header and row give each format's CSV header and one person's row
// (nil: the person cannot be matched by that platform and is left out).
var formats = map[string]struct {
	header []string
	row    func(Person) []string
}{
	FormatCSV: {[]string{"visitor_id", "user_id"}, func(p Person) []string {
		return []string{privacy.CSVCell(p.VisitorID), privacy.CSVCell(p.UserID)}
	}},
	FormatGoogle: {[]string{"Email", "Phone"}, func(p Person) []string {
		e, ph := hashed(GoogleEmail(p.Email)), hashed(GooglePhone(p.Phone))
		if e == "" && ph == "" {
			return nil // Customer Match matches contact information only
		}
		return []string{e, ph}
	}},
	FormatMeta: {[]string{"email", "phone", "extern_id"}, func(p Person) []string {
		id := p.UserID
		if id == "" {
			id = p.VisitorID
		}
		return []string{hashed(MetaEmail(p.Email)), hashed(MetaPhone(p.Phone)), privacy.CSVCell(id)}
	}},
}

func hashed(normal string) string {
	if normal == "" {
		return ""
	}
	return sha256Hex(normal)
}

// Rows returns the rows of people in format (header first) and how many
// people it left out (no identifier the platform matches).
func Rows(format string, people []Person) (rows [][]string, skipped int, err error) {
	f, ok := formats[format]
	if !ok {
		return nil, 0, fmt.Errorf("format %q: want one of %v", format, Formats)
	}
	rows = append(make([][]string, 0, len(people)+1), f.header)
	for _, p := range people {
		if row := f.row(p); row != nil {
			rows = append(rows, row)
		} else {
			skipped++
		}
	}
	return rows, skipped, nil
}

// Write writes rows (Rows) to w as CSV; progress, if not nil, is called
// as they are written.
func Write(w io.Writer, rows [][]string, progress func(done, total uint64)) error {
	cw := csv.NewWriter(w)
	total := uint64(len(rows) - 1)
	for i, row := range rows {
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write export: %w", err)
		}
		if progress != nil && i > 0 && (i%1000 == 0 || uint64(i) == total) {
			progress(uint64(i), total)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	return nil
}
