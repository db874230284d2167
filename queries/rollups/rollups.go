// Package rollups holds the statements of the rollup job (collector/rollup):
// the SQL that builds the visits rollup (queries/migrations/0040, 0041)
// from events and finds the days whose events changed. One statement per
// file, text/template with {{.DB}}, as in package queries.
package rollups

import (
	"bytes"
	"embed"
	"fmt"
	"text/template"
)

//go:embed *.sql
var files embed.FS

// Render returns the statement name (a file name without ".sql") for the
// database db.
func Render(name, db string) (string, error) {
	b, err := files.ReadFile(name + ".sql")
	if err != nil {
		return "", fmt.Errorf("rollup statement %s: %w", name, err)
	}
	t, err := template.New(name).Option("missingkey=error").Parse(string(b))
	if err != nil {
		return "", fmt.Errorf("rollup statement %s: %w", name, err)
	}
	var out bytes.Buffer
	if err := t.Execute(&out, struct{ DB string }{db}); err != nil {
		return "", fmt.Errorf("rollup statement %s: %w", name, err)
	}
	return out.String(), nil
}

// Names are the statements, for the checks that run each of them.
var Names = []string{"events_by_day", "visits_built", "visits_build"}
