package admin

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestOpenAPIMatchesRoutes checks the embedded OpenAPI document against
// the registered routes: every route documented with its scope, nothing
// documented that is not registered.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	param := regexp.MustCompile(`:([a-z_]+)`)
	registered := map[string]string{}
	for _, r := range (&API{}).Routes() {
		registered[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = r.Scope
	}
	// The dashboard's routes, documented at the collector's root.
	for _, r := range (&Dashboard{API: &API{}}).DashboardRoutes() {
		registered[r.Method+" "+DashboardPrefix+param.ReplaceAllString(r.Path, "{$1}")] = r.Scope
	}
	registered["POST "+DashboardPrefix+"/login"] = ScopeQuery
	registered["POST "+DashboardPrefix+"/logout"] = ""
	documented := map[string]string{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			o, ok := op.(map[string]any)
			if !ok {
				continue // a path's own servers, not an operation
			}
			scope, _ := o["x-scope"].(string)
			documented[strings.ToUpper(method)+" "+path] = scope
		}
	}
	for _, k := range sortedKeys(registered) {
		scope, ok := documented[k]
		switch {
		case !ok:
			t.Errorf("route %s is not in openapi.json", k)
		case scope != registered[k]:
			t.Errorf("route %s: openapi.json says scope %q, the route needs %q", k, scope, registered[k])
		}
	}
	for _, k := range sortedKeys(documented) {
		if _, ok := registered[k]; !ok {
			t.Errorf("openapi.json documents %s, which is not a route", k)
		}
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
