package consent

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// documentedExample returns the code block that follows the marker
// "<!-- example: name -->" in docs/PRIVACY.md.
func documentedExample(t *testing.T, name string) string {
	t.Helper()
	doc, err := os.ReadFile("../../docs/PRIVACY.md")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?s)<!-- example: " + regexp.QuoteMeta(name) + " -->\n```[a-z]*\n(.*?)```")
	m := re.FindSubmatch(doc)
	if m == nil {
		t.Fatalf("docs/PRIVACY.md has no %s example", name)
	}
	return string(m[1])
}

// runTool runs a command that the test needs (node, go); without it the
// test fails under CI and is skipped elsewhere.
func runTool(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed", name)
		}
		t.Skipf("%s is not installed", name)
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// TestDocumentedAssertionExamples runs the Go and Node.js examples of
// docs/PRIVACY.md, for identify assertions and for customer tokens, and
// verifies what they mint with the collector's own verifier, so that the
// documented way to mint one works (and the kinds do not mix).
func TestDocumentedAssertionExamples(t *testing.T) {
	const key, user, site = "documented-example-key-0123456789abcdef", "user-42@example.com", "shop"
	for _, ex := range []struct{ goName, goFunc, nodeName, nodeFunc, scope, other string }{
		{"go", "MintAssertion", "node", "mintAssertion", "", ScopePreferences},
		{"go-customer", "MintCustomerToken", "node-customer", "mintCustomerToken", ScopePreferences, ""},
	} {
		check := func(t *testing.T, token string) {
			t.Helper()
			a, err := VerifyAssertion([]byte(key), token, site, ex.scope, time.Now())
			if err != nil || a.Subject != user || a.ExpiresAt.Sub(a.IssuedAt) != 5*time.Minute {
				t.Fatalf("minted %q: %+v, %v", token, a, err)
			}
			if _, err := VerifyAssertion([]byte(key), token, site, ex.other, time.Now()); err != ErrAssertionScope {
				t.Fatalf("scope %q accepted as %q: %v", ex.scope, ex.other, err)
			}
		}
		t.Run(ex.nodeName, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "mint.mjs"), []byte(documentedExample(t, ex.nodeName)), 0o600); err != nil {
				t.Fatal(err)
			}
			check(t, runTool(t, dir, []string{"KEY=" + key}, "node", "--input-type=module", "-e",
				"import { "+ex.nodeFunc+" } from './mint.mjs'; process.stdout.write("+ex.nodeFunc+"(process.env.KEY, "+
					"'"+user+"', '"+site+"'))"))
		})
		t.Run(ex.goName, func(t *testing.T) {
			dir := t.TempDir()
			src := "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\n" + documentedExample(t, ex.goName) +
				"\nfunc main() { fmt.Print(" + ex.goFunc + "([]byte(os.Getenv(\"KEY\")), os.Args[1], os.Args[2])) }\n"
			if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module mint\n\ngo 1.22\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			check(t, runTool(t, dir, []string{"KEY=" + key, "GOFLAGS=-mod=mod"}, "go", "run", ".", user, site))
		})
	}
}
