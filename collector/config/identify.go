package config

import (
	"fmt"
	"os"
	"strings"

	"github.com/ashiato/ashiato/collector"
)

// MinIdentifyKeyLen is the shortest identify key accepted: HS256 wants a
// key at least as long as its 256-bit output.
const MinIdentifyKeyLen = 32

// finishIdentifyKey reads a site's identify key from its file, if one is
// named, and checks its length.
func finishIdentifyKey(s *collector.Site) error {
	if s.IdentifyKeyFile != "" {
		if s.IdentifyKey != "" {
			return fmt.Errorf("site %s: identify_key and identify_key_file: set one", s.ID)
		}
		b, err := os.ReadFile(s.IdentifyKeyFile)
		if err != nil {
			return fmt.Errorf("site %s: identify_key_file: %w", s.ID, err)
		}
		s.IdentifyKey = strings.TrimSpace(string(b))
	}
	if s.IdentifyKey != "" && len(s.IdentifyKey) < MinIdentifyKeyLen {
		return fmt.Errorf("site %s: identify_key: want at least %d bytes, got %d", s.ID, MinIdentifyKeyLen, len(s.IdentifyKey))
	}
	return nil
}
