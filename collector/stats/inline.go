package stats

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// NamedArgs turns a statement's parameters into clickhouse-go named
// arguments (client-side binding; ClickHouse 18.16 has no server-side
// parameters).
func NamedArgs(params map[string]any) []any {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = clickhouse.Named(k, params[k])
	}
	return args
}

var paramRef = regexp.MustCompile(`@([a-z_][a-z0-9_]*)`)

// Inline returns the statement with its parameters written as ClickHouse
// literals, for reading and copying (`ashiato query --sql`) and for
// engines without client-side binding (the chDB check). The engine itself
// always binds.
func Inline(st Statement) (string, error) {
	var missing []string
	out := paramRef.ReplaceAllStringFunc(st.SQL, func(m string) string {
		v, ok := st.Params[m[1:]]
		if !ok {
			missing = append(missing, m)
			return m
		}
		return Literal(v)
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("statement %s: no value for %s", st.Name, strings.Join(missing, ", "))
	}
	return out, nil
}

// Literal renders v as a ClickHouse literal: strings quoted with
// backslash escapes, numbers as they are.
func Literal(v any) string {
	switch x := v.(type) {
	case string:
		r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\r", `\r`, "\t", `\t`, "\x00", `\0`)
		return "'" + r.Replace(x) + "'"
	default:
		return fmt.Sprint(x)
	}
}
