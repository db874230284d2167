// Package deploytest holds what the tests of the deployment files share:
// the repository's root, the published image's name (named once, as IMAGE
// in the Makefile) and the release version the deployment files pin.
package deploytest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
)

// Root returns the repository's root folder.
func Root(tb testing.TB) string {
	tb.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("no caller information")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Read returns the content of a file given by its path from the root.
func Read(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(Root(tb), path))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

var imageLine = regexp.MustCompile(`(?m)^IMAGE\s*\?=\s*(\S+)\s*$`)

// Image returns the published image's repository, IMAGE in the Makefile:
// the one place it is named.
func Image(tb testing.TB) string {
	tb.Helper()
	m := imageLine.FindSubmatch(Read(tb, "Makefile"))
	if m == nil {
		tb.Fatal("Makefile: no line IMAGE ?= …")
	}
	return string(m[1])
}

// Release returns the release version the deployment files pin: the
// version of the npm packages (sdk-js/package.json), which `make dist`
// also packs.
func Release(tb testing.TB) string {
	tb.Helper()
	var p struct{ Version string }
	if err := json.Unmarshal(Read(tb, "sdk-js/package.json"), &p); err != nil || p.Version == "" {
		tb.Fatalf("sdk-js/package.json: no version (%v)", err)
	}
	return p.Version
}

// Build builds the ashiato binary into dir and returns its path.
func Build(tb testing.TB, dir string) string {
	tb.Helper()
	bin := filepath.Join(dir, "ashiato")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/ashiato/ashiato/cmd/ashiato").CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
