package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// common holds the flags that open and fill share.
type common struct {
	URL     string
	UAFile  string
	New     float64
	Site    string
	Origin  string
	Conns   int
	Seed    uint64
	Timeout time.Duration
	Consent bool
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.URL, "url", "", "endpoint, e.g. http://127.0.0.1:8080/api/event")
	fs.StringVar(&c.UAFile, "uas", "", "User-Agent list, one per line (loadgen uas -o …)")
	fs.Float64Var(&c.New, "new", 0.03, "share of requests with a never-seen User-Agent")
	fs.StringVar(&c.Site, "site", "demo", "site ID in the events")
	fs.StringVar(&c.Origin, "origin", "http://localhost:3000", "Origin header (empty: none)")
	fs.IntVar(&c.Conns, "conns", 50, "connections")
	fs.Uint64Var(&c.Seed, "seed", uint64(time.Now().UnixNano()), "run seed (event IDs and draws)")
	fs.DurationVar(&c.Timeout, "timeout", 10*time.Second, "per-request timeout")
	fs.BoolVar(&c.Consent, "consent", false, "send consent decisions (-url …/api/consent) instead of events; the banner's revision and texts hash are read from …/api/consent/config")
}

func (c *common) setup() (Target, *UAMix, error) {
	u, err := url.Parse(c.URL)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return Target{}, nil, fmt.Errorf("-url %q: want http://host:port/path", c.URL)
	}
	if c.UAFile == "" {
		return Target{}, nil, errors.New("-uas is required")
	}
	uas, err := LoadUAs(c.UAFile)
	if err != nil {
		return Target{}, nil, err
	}
	if c.Conns < 1 {
		return Target{}, nil, errors.New("-conns must be ≥ 1")
	}
	path := u.RequestURI()
	t := Target{Host: u.Host, Path: path, Site: c.Site, Origin: c.Origin}
	if c.Consent {
		if t.Consent, err = bannerOf(u, c.Site); err != nil {
			return Target{}, nil, err
		}
	}
	return t, &UAMix{UAs: uas, NewShare: c.New}, nil
}

// bannerOf returns the JSON members "revision" and "texts_hash" of site's
// current banner, as a decision must carry them, from the collector at u.
func bannerOf(u *url.URL, site string) (string, error) {
	resp, err := http.Get(u.Scheme + "://" + u.Host + "/api/consent/config?site=" + url.QueryEscape(site))
	if err != nil {
		return "", fmt.Errorf("consent config: %w", err)
	}
	defer resp.Body.Close()
	var cfg struct {
		Revision  int    `json:"revision"`
		TextsHash string `json:"texts_hash"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&cfg); err != nil || resp.StatusCode != 200 {
		return "", fmt.Errorf("consent config: status %d: %v", resp.StatusCode, err)
	}
	return fmt.Sprintf(`"revision":%d,"texts_hash":%q`, cfg.Revision, cfg.TextsHash), nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
