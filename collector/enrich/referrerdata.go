package enrich

import (
	_ "embed"
	"fmt"
	"strings"
)

// extraReferrerData is data/referrers/extra.tsv: referrer hosts that
// goreferrer's dataset lacks, the AI assistants among them, each with the
// origin of the fact.
//
//go:embed data/referrers/extra.tsv
var extraReferrerData string

type extraReferrer struct {
	host string // lower case; "host/path" for a path rule
	rule ruleMatch
}

// extraReferrers parses extraReferrerData. The file is part of the binary
// and checked by the tests, so a malformed line is a programming error.
func extraReferrers() []extraReferrer {
	out, err := parseExtraReferrers(extraReferrerData)
	if err != nil {
		panic(err)
	}
	return out
}

// parseExtraReferrers reads lines of "host<TAB>source<TAB>name<TAB>origin";
// "#" starts a comment line.
func parseExtraReferrers(data string) ([]extraReferrer, error) {
	var out []extraReferrer
	for i, line := range strings.Split(data, "\n") {
		if line = strings.TrimSpace(line); line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 || f[0] == "" || f[2] == "" || f[3] == "" {
			return nil, fmt.Errorf("referrers/extra.tsv:%d: want host, source, name, origin", i+1)
		}
		switch f[1] {
		case SourceSearch, SourceSocial, SourceEmail, SourceAI, SourceOther:
		default:
			return nil, fmt.Errorf("referrers/extra.tsv:%d: source %q", i+1, f[1])
		}
		out = append(out, extraReferrer{strings.ToLower(f[0]), ruleMatch{f[1], f[2]}})
	}
	return out, nil
}
