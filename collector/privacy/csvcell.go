package privacy

import "strings"

// CSVCell neutralises a cell against formula injection: a spreadsheet that
// opens the file would run a cell starting with =, +, -, @, a tab or a
// carriage return as a formula. Such a cell is prefixed with a single quote,
// which spreadsheets show as text. Every CSV the collector writes passes its
// cells through here.
func CSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
