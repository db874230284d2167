package release

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ashiato/ashiato/deploy/deploytest"
)

const version = "v0.0.0-disttest"

// TestDist runs deploy/local/dist.sh (what `make dist` runs) and checks
// every artifact it writes.
func TestDist(t *testing.T) {
	if _, err := exec.LookPath("npm"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("npm is missing: deploy/local/deps.sh installs it")
		}
		t.Skip("npm is not installed: dist.sh packs the npm packages with it")
	}
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute) // arm64 builds every dependency on a cold cache
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(deploytest.Root(t), "deploy/local/dist.sh"))
	cmd.Env = append(os.Environ(), "VERSION="+version, "DIST_DIR="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dist.sh: %v\n%s", err, b)
	}
	release := deploytest.Release(t)
	files := []string{
		"ashiato-" + version + "-linux-amd64", "ashiato-" + version + "-linux-arm64",
		"ashiato-sdk-" + release + ".tgz", "ashiato-consent-banner-" + release + ".tgz",
	}
	entries, _ := os.ReadDir(out)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := append(slices.Clone(files), "LICENSE", "NOTICE", "SHA256SUMS"); !sameSet(names, want) {
		t.Errorf("dist holds %v, want %v", names, want)
	}
	checkSums(t, out, files)
	for arch, machine := range map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64} {
		checkStatic(t, filepath.Join(out, "ashiato-"+version+"-linux-"+arch), machine)
	}
	b, err := exec.Command(filepath.Join(out, "ashiato-"+version+"-linux-amd64"), "version").Output()
	if err != nil || strings.TrimSpace(string(b)) != "ashiato "+version {
		t.Errorf("ashiato version printed %q (%v), want the version built in", b, err)
	}
	checkPackage(t, filepath.Join(out, files[2]), "@ashiato/sdk", "package/dist/s.js")
	checkPackage(t, filepath.Join(out, files[3]), "@ashiato/consent-banner", "package/dist/consent.js")
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// checkSums recomputes SHA256SUMS: one line per artifact, each matching.
func checkSums(t *testing.T, dir string, files []string) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q: want \"<sum>  <file>\"", sc.Text())
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("SHA256SUMS names %s: %v", name, err)
		}
		if h := sha256.Sum256(b); hex.EncodeToString(h[:]) != sum {
			t.Errorf("SHA256SUMS: %s does not match", name)
		}
		seen[name] = true
	}
	for _, name := range files {
		if !seen[name] {
			t.Errorf("SHA256SUMS has no line for %s", name)
		}
	}
}

// checkStatic requires an ELF executable of the machine with no program
// interpreter (statically linked) and no Go build path in it (-trimpath).
func checkStatic(t *testing.T, path string, machine elf.Machine) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer f.Close()
	if f.Machine != machine {
		t.Errorf("%s: machine %v, want %v", filepath.Base(path), f.Machine, machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s: has a program interpreter: not static", filepath.Base(path))
		}
	}
	b, _ := os.ReadFile(path)
	if root := deploytest.Root(t); bytes.Contains(b, []byte(filepath.Clean(root)+"/collector")) {
		t.Errorf("%s: holds the build folder %s: built without -trimpath", filepath.Base(path), root)
	}
}

// checkPackage opens an npm tarball: its package.json names the package
// with the Apache-2.0 licence, it carries LICENSE, NOTICE and the bundle,
// and no tests or sources beyond what the package declares.
func checkPackage(t *testing.T, path, name, bundle string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	tr := tar.NewReader(zr)
	got := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		got[h.Name], _ = io.ReadAll(tr)
	}
	var pkg struct{ Name, License string }
	if err := json.Unmarshal(got["package/package.json"], &pkg); err != nil || pkg.Name != name || pkg.License != "Apache-2.0" {
		t.Errorf("%s: package.json name %q licence %q (%v)", filepath.Base(path), pkg.Name, pkg.License, err)
	}
	for _, want := range []string{"package/LICENSE", "package/NOTICE", bundle} {
		if len(got[want]) == 0 {
			t.Errorf("%s: no %s", filepath.Base(path), want)
		}
	}
	if !bytes.Contains(got["package/LICENSE"], []byte("Apache License")) {
		t.Errorf("%s: LICENSE is not the Apache License", filepath.Base(path))
	}
	for n := range got {
		if strings.Contains(n, "/test/") || strings.HasSuffix(n, "_test.go") {
			t.Errorf("%s: ships %s", filepath.Base(path), n)
		}
	}
}
