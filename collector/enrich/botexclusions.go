package enrich

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// botExclusionData lists User-Agent tokens of browsers and apps that people
// use which the bot patterns would match, each with its reason.
//
//go:embed data/botexclusions/exclusions.tsv
var botExclusionData string

// sharedBotExclusions is compiled once per process from the embedded data,
// which the tests check; New fails when it does not compile.
var sharedBotExclusions = sync.OnceValues(func() (*exclusionRemover, error) {
	pats, err := parseBotExclusions(botExclusionData)
	if err != nil {
		return nil, err
	}
	return newExclusionRemover(pats)
})

// parseBotExclusions reads the patterns of the exclusion file: one a line,
// a tab, the reason; # comments.
func parseBotExclusions(data string) ([]string, error) {
	var pats []string
	for i, line := range strings.Split(data, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		pat, reason, ok := strings.Cut(line, "\t")
		if !ok || pat == "" || strings.TrimSpace(reason) == "" {
			return nil, fmt.Errorf("bot exclusions line %d: want pattern, tab, reason", i+1)
		}
		pats = append(pats, pat)
	}
	if len(pats) == 0 {
		return nil, errors.New("bot exclusions: empty list")
	}
	return pats, nil
}

// withoutBotExclusions returns ua with the excluded tokens cut out, which
// the bot patterns then see. It runs on a UA-cache miss only.
func withoutBotExclusions(ua string) string {
	x, _ := sharedBotExclusions() // New checked the error
	if x == nil {
		return ua
	}
	if !isASCII(ua) || len(ua) > maxUALen {
		return x.all.ReplaceAllString(ua, "")
	}
	var buf [maxUALen]byte
	return x.remove(ua, asciiLowerInto(buf[:0], ua))
}
