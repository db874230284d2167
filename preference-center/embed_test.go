package prefcenter

import (
	"bytes"
	"testing"
)

func TestEmbedded(t *testing.T) {
	if !bytes.Contains(Script, []byte("/api/preferences")) || !bytes.Contains(CSS, []byte(".apc")) {
		t.Fatalf("embedded files (%d, %d bytes) are not the preference center", len(Script), len(CSS))
	}
}
