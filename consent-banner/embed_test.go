package banner

import (
	"bytes"
	"testing"
)

func TestEmbedded(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"script", Script, "ashiato:consent"},
		{"css", CSS, ".acb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Contains(tt.data, []byte(tt.want)) {
				t.Errorf("embedded %s (%d bytes) does not contain %q", tt.name, len(tt.data), tt.want)
			}
		})
	}
}
