package sdkjs

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
)

// TestScriptBudget checks the embedded snippet without Node: it is the
// IIFE, and gzipped it fits the budget (npm test checks it is current).
func TestScriptBudget(t *testing.T) {
	if !bytes.HasPrefix(Script, []byte("(()=>{")) {
		t.Fatalf("dist/s.js does not look like the minified IIFE: %.40q", Script)
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(Script); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if n := buf.Len(); n > Budget {
		t.Errorf("dist/s.js is %d bytes gzipped, over the %d-byte budget", n, Budget)
	}
	if !strings.Contains(string(ESM), "export") {
		t.Errorf("dist/s.esm.js is not an ES module")
	}
}
