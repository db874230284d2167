// Package uacorpus reads the lines of the User-Agent corpora that the load
// generator (cmd/loadgen) and the enricher's equivalence tests share:
// ../shared/data/user-agents and collector/enrich/testdata.
package uacorpus

import "strings"

// Line returns the User-Agent of one corpus line: its last tab-separated
// field, without surrounding spaces or double quotes (pgts-browser-list
// lines are "name<TAB>…<TAB>"UA"").
func Line(line string) string {
	if i := strings.LastIndexByte(line, '\t'); i >= 0 {
		line = line[i+1:]
	}
	line = strings.TrimSpace(line)
	if len(line) >= 2 && line[0] == '"' && line[len(line)-1] == '"' {
		line = line[1 : len(line)-1]
	}
	return strings.TrimSpace(line)
}
