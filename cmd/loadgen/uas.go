package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/ashiato/ashiato/internal/uacorpus"
)

// LoadUAs reads UA corpus files and returns distinct, normalised strings:
// a line with tabs (the pgts list: name, version, UA) keeps its last field,
// surrounding double quotes are removed. Current browser strings
// (Mozilla/5.0 with Chrome, Firefox or Safari) come first, each group
// shuffled with a fixed seed, so that a Zipf-like draw over the list hits
// mostly browsers and now and then the long tail.
func LoadUAs(paths ...string) ([]string, error) {
	seen := map[string]bool{}
	var browsers, rest []string
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			ua := normaliseUA(sc.Text())
			if ua == "" || seen[ua] {
				continue
			}
			seen[ua] = true
			if isBrowser(ua) {
				browsers = append(browsers, ua)
			} else {
				rest = append(rest, ua)
			}
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	if len(seen) == 0 {
		return nil, errors.New("no User-Agent strings in the corpus")
	}
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(browsers), func(i, j int) { browsers[i], browsers[j] = browsers[j], browsers[i] })
	r.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	return append(browsers, rest...), nil
}

// normaliseUA is the User-Agent of a corpus line, or "" when it cannot be
// sent as a header value.
func normaliseUA(line string) string {
	ua := uacorpus.Line(line)
	// A header value cannot carry control characters.
	if strings.ContainsFunc(ua, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return ""
	}
	return ua
}

func isBrowser(ua string) bool {
	return strings.HasPrefix(ua, "Mozilla/5.0 ") &&
		(strings.Contains(ua, "Chrome/") || strings.Contains(ua, "Firefox/") || strings.Contains(ua, "Safari/"))
}

// UAMix draws User-Agent strings: with probability NewShare a string never
// seen before (a corpus string with a unique build suffix, as a browser
// update would produce), otherwise a corpus string by a log-uniform
// (Zipf-like, s≈1) draw over the list order.
type UAMix struct {
	UAs      []string
	NewShare float64
}

// Pick returns a UA; seq must be unique per call within the run (it makes
// the never-seen variants unique), r is the caller's generator.
func (m *UAMix) Pick(r *rand.Rand, buf []byte, seq uint64) ([]byte, bool) {
	if r.Float64() < m.NewShare {
		base := m.UAs[r.IntN(min(len(m.UAs), 200))]
		buf = append(buf, base...)
		buf = fmt.Appendf(buf, " Build/%d.%d", r.Uint32(), seq)
		return buf, true
	}
	return append(buf, m.UAs[zipf(r, len(m.UAs))]...), false
}

// zipf returns an index in [0, n) with P(i) ∝ 1/(i+1), roughly.
func zipf(r *rand.Rand, n int) int {
	i := int(math.Exp(r.Float64()*math.Log(float64(n)+1))) - 1
	return min(max(i, 0), n-1)
}

func runUAs(args []string, _ io.Writer) error {
	fs := flag.NewFlagSet("uas", flag.ContinueOnError)
	out := fs.String("o", "", "output file (one UA per line)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() == 0 {
		return errors.New("usage: loadgen uas -o FILE CORPUS…")
	}
	uas, err := LoadUAs(fs.Args()...)
	if err != nil {
		return err
	}
	return os.WriteFile(*out, []byte(strings.Join(uas, "\n")+"\n"), 0o644)
}
