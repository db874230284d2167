// Package queries holds every SQL statement ashiato runs against ClickHouse:
// ordered schema migrations in migrations/, named queries (dashboards,
// `ashiato query`, the admin API's /query) in this folder, and in exports/
// the statements that name people, which only their own export-scoped
// endpoints run; one statement per file.
//
// The files are text/template templates so that one file serves both the
// oldest server we support (ClickHouse 18.16) and current ones. Templates
// see a Dialect: {{.DB}} is the database; {{lc}} is LowCardinality(String)
// where supported, else String; {{if .TTL}} guards TTL clauses; {{.Engine
// "MergeTree"}} renders the table engine (Replicated* on a cluster).
package queries

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"text/template"
)

//go:embed migrations/*.sql exports/*.sql stats/*.sql rollups/*.sql audiences/*.sql partner/*.sql *.sql
var files embed.FS

// Dialect describes what the target ClickHouse server supports.
type Dialect struct {
	DB             string
	LowCardinality bool   // LowCardinality(String) columns
	TTL            bool   // TTL clauses
	Codecs         bool   // column CODECs
	LightDelete    bool   // DELETE FROM (lightweight deletes)
	DedupToken     bool   // insert_deduplication_token
	Cluster        string // the cluster sharded over (store/cluster.go), "" for a single server
	Replicated     bool   // Replicated*MergeTree engines (needs ZooKeeper/Keeper)
}

// Engine renders a MergeTree-family engine, replicated when configured.
func (d Dialect) Engine(name string, args ...string) string {
	a := strings.Join(args, ", ")
	if d.Replicated {
		zk := "'/clickhouse/tables/{shard}/" + d.DB + "/{table}', '{replica}'"
		if a != "" {
			a = zk + ", " + a
		} else {
			a = zk
		}
		return "Replicated" + name + "(" + a + ")"
	}
	return name + "(" + a + ")"
}

// OnCluster renders the ON CLUSTER clause, or nothing.
func (d Dialect) OnCluster() string {
	if d.Cluster == "" {
		return ""
	}
	return "ON CLUSTER " + d.Cluster
}

func (d Dialect) funcs() template.FuncMap {
	return template.FuncMap{
		"lc": func() string {
			if d.LowCardinality {
				return "LowCardinality(String)"
			}
			return "String"
		},
	}
}

// Render returns the named statement (a path inside this folder, without
// ".sql") rendered for d.
func Render(name string, d Dialect) (string, error) { return RenderWith(name, d, d) }

// RenderWith renders the named statement for d with data as the template's
// dot: the stats engine's templates (stats/) take the whitelisted pieces
// it composes them from.
func RenderWith(name string, d Dialect, data any) (string, error) {
	b, err := files.ReadFile(name + ".sql")
	if err != nil {
		return "", fmt.Errorf("query %s: %w", name, err)
	}
	t, err := template.New(name).Funcs(d.funcs()).Parse(string(b))
	if err != nil {
		return "", fmt.Errorf("parse query %s: %w", name, err)
	}
	var out bytes.Buffer
	if err := t.Execute(&out, data); err != nil {
		return "", fmt.Errorf("render query %s: %w", name, err)
	}
	return strings.TrimSpace(stripComments(out.String())), nil
}

// RenderSource renders the named statement for d with its block "source"
// replaced by src, an already rendered subquery: an export statement that
// checks the rows of a table checks the rows src gives instead.
func RenderSource(name string, d Dialect, src string) (string, error) {
	b, err := files.ReadFile(name + ".sql")
	if err != nil {
		return "", fmt.Errorf("query %s: %w", name, err)
	}
	funcs := d.funcs()
	funcs["source_sql"] = func() string { return src }
	t, err := template.New(name).Funcs(funcs).Parse(string(b))
	if err != nil {
		return "", fmt.Errorf("parse query %s: %w", name, err)
	}
	if t.Lookup("source") == nil {
		return "", fmt.Errorf("query %s has no source block", name)
	}
	if _, err := t.New("override").Parse(`{{define "source"}}({{source_sql}}){{end}}`); err != nil {
		return "", fmt.Errorf("parse query %s: %w", name, err)
	}
	var out bytes.Buffer
	if err := t.Execute(&out, d); err != nil {
		return "", fmt.Errorf("render query %s: %w", name, err)
	}
	return strings.TrimSpace(stripComments(out.String())), nil
}

// MustRender is Render for statements known to exist; it panics otherwise.
func MustRender(name string, d Dialect) string {
	s, err := Render(name, d)
	if err != nil {
		panic(err)
	}
	return s
}

// Migration is one ordered schema change.
type Migration struct {
	Version int
	Name    string // file name without extension, e.g. "0001_events"
}

// Migrations returns every migration in order.
func Migrations() []Migration {
	entries, _ := fs.ReadDir(files, "migrations")
	var ms []Migration
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".sql")
		var v int
		if _, err := fmt.Sscanf(name, "%04d_", &v); err != nil {
			panic("migration without a version prefix: " + name)
		}
		ms = append(ms, Migration{Version: v, Name: name})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms
}

// Statement returns the migration's statement rendered for d.
func (m Migration) Statement(d Dialect) (string, error) {
	return Render(path.Join("migrations", m.Name), d)
}

// Names returns the named queries (not migrations, not exports) in this
// folder: what `ashiato query` and the admin API's /query may run.
func Names() []string { return list(".") }

// Exports returns the export statements, as names for Render
// ("exports/audience_members"). They are not named queries.
func Exports() []string { return list("exports") }

// list returns the .sql files of dir as names for Render: the path without
// the extension.
func list(dir string) []string {
	entries, _ := fs.ReadDir(files, dir)
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, path.Join(dir, strings.TrimSuffix(e.Name(), ".sql")))
		}
	}
	return names
}

// stripComments removes whole-line "--" comments, which document the files
// but which old servers reject at the end of a statement.
func stripComments(s string) string {
	var b strings.Builder
	for line := range strings.SplitSeq(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}
