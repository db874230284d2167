package dashboard

import (
	"bytes"
	"compress/gzip"
	"testing"
)

func gzipped(t *testing.T, b []byte) int {
	t.Helper()
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Len()
}

// TestBudget fails when the embedded script and stylesheet together weigh
// more than Budget gzipped (the number docs/BENCHMARKS.md records).
func TestBudget(t *testing.T) {
	js, css := gzipped(t, Script), gzipped(t, CSS)
	t.Logf("app.js %d B + app.css %d B = %d B gzipped of %d B", js, css, js+css, Budget)
	if js+css > Budget {
		t.Errorf("the dashboard weighs %d B gzipped, over its budget of %d B", js+css, Budget)
	}
}

// TestEmbedded checks that the page names its assets by the placeholders
// the collector rewrites and holds the login form's stable hook.
func TestEmbedded(t *testing.T) {
	for _, want := range []string{`src="` + ScriptRef + `"`, `href="` + StyleRef + `"`, `name="token"`} {
		if !bytes.Contains(HTML, []byte(want)) {
			t.Errorf("dist/index.html does not contain %s", want)
		}
	}
	if len(Script) == 0 || len(CSS) == 0 {
		t.Error("dist/app.js or dist/app.css is empty")
	}
}
