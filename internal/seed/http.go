package seed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/consent"
)

// HTTP sends seeded traffic through the collector's real ingestion path:
// each visit's events as JSON arrays to POST /api/event with the visitor's
// User-Agent, X-Forwarded-For and CF-IPCountry headers, and a consented
// visitor's decision first to POST /api/consent, whose token and visitor
// ID its events then carry. The collector stamps events with the time it
// receives them, so all of them land now, whatever --days says; the
// addresses and countries count only when the collector trusts the
// headers (--trusted-proxies 127.0.0.1/32 --trust-country-headers).
type HTTP struct {
	base, site, origin string
	client             *http.Client
	config             struct {
		Revision  int    `json:"revision"`
		TextsHash string `json:"texts_hash"`
	}
	tokens map[*Visitor]grant // decisions made through the API
	body   bytes.Buffer
}

type grant struct{ token, vid string }

var _ Sink = (*HTTP)(nil)

// NewHTTP returns a sink that posts to the collector at base (e.g.
// http://127.0.0.1:8080); it reads the site's banner configuration first.
func NewHTTP(ctx context.Context, base, site, host string) (*HTTP, error) {
	h := &HTTP{base: strings.TrimRight(base, "/"), site: site, origin: "https://" + host,
		client: &http.Client{Timeout: 30 * time.Second}, tokens: map[*Visitor]grant{}}
	if host == "localhost" { // the demo site allows http://localhost:* origins
		port := "80"
		if u, err := url.Parse(h.base); err == nil && u.Port() != "" {
			port = u.Port()
		}
		h.origin = "http://localhost:" + port
	}
	u := h.base + "/api/consent/config?site=" + url.QueryEscape(site)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("seed via http: %w", err)
	}
	if err := h.do(req, &h.config); err != nil {
		return nil, fmt.Errorf("seed via http: banner configuration: %w", err)
	}
	return h, nil
}

// Decisions does nothing: over HTTP a decision is made by POST
// /api/consent when the visitor's first event is sent.
func (h *HTTP) Decisions(context.Context, []consent.Decision) error { return nil }

// Records posts the events, the consecutive events of one visitor as one
// request (at most collector.MaxBatchEvents).
func (h *HTTP) Records(ctx context.Context, recs []Record) error {
	for lo := 0; lo < len(recs); {
		hi := lo + 1
		for hi < len(recs) && hi-lo < collector.MaxBatchEvents && recs[hi].Visitor == recs[lo].Visitor {
			hi++
		}
		if err := h.post(ctx, recs[lo:hi]); err != nil {
			return err
		}
		lo = hi
	}
	return nil
}

// post sends the events of one visitor.
func (h *HTTP) post(ctx context.Context, recs []Record) error {
	v := recs[0].Visitor
	var g grant
	if v.Consented {
		var err error
		if g, err = h.decide(ctx, recs[0]); err != nil {
			return err
		}
	}
	hits := make([]map[string]any, len(recs))
	for i := range recs {
		e := &recs[i].Event
		m := map[string]any{"site": h.site, "type": e.Type, "url": recs[i].URL, "referrer": recs[i].Referrer,
			"title": e.Title, "screen": e.Screen, "lang": e.Lang, "eid": fmt.Sprintf("%x", e.EventID)}
		if e.Name != "" {
			m["name"] = e.Name
		}
		if e.Type == collector.TypeEngagement {
			m["engaged_ms"], m["scroll"] = e.EngagedMS, e.ScrollDepth
		}
		if len(e.PropKeys) > 0 {
			props := map[string]string{}
			for k, key := range e.PropKeys {
				props[key] = e.PropValues[k]
			}
			m["props"] = props
		}
		if v.Consented {
			m["vid"], m["sid"], m["consent"] = g.vid, e.SessionID, g.token
		}
		hits[i] = m
	}
	return h.send(ctx, "/api/event", hits, recs[0], nil)
}

// decide records the visitor's decision through the API once.
func (h *HTTP) decide(ctx context.Context, r Record) (grant, error) {
	v := r.Visitor
	if g, ok := h.tokens[v]; ok {
		return g, nil
	}
	granted := []string{}
	for _, p := range v.Purposes {
		if p != "necessary" {
			granted = append(granted, p)
		}
	}
	method := v.Method
	if method == "gpc" {
		method = "accept_all"
	}
	body := map[string]any{"site": h.site, "granted": granted, "method": method, "revision": h.config.Revision,
		"texts_hash": h.config.TextsHash, "lang": v.Lang, "gpc": v.GPC}
	var out struct {
		Token string `json:"token"`
		VID   string `json:"vid"`
	}
	if err := h.send(ctx, "/api/consent", body, r, &out); err != nil {
		return grant{}, err
	}
	g := grant{token: out.Token, vid: out.VID}
	h.tokens[v] = g
	return g, nil
}

// send posts body as text/plain JSON with the visitor's headers.
func (h *HTTP) send(ctx context.Context, path string, body any, r Record, out any) error {
	h.body.Reset()
	if err := json.NewEncoder(&h.body).Encode(body); err != nil {
		return fmt.Errorf("seed via http: encode: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.base+path, bytes.NewReader(h.body.Bytes()))
	if err != nil {
		return fmt.Errorf("seed via http: %w", err)
	}
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	req.Header.Set("Origin", h.origin)
	req.Header.Set("User-Agent", r.UA)
	req.Header.Set("X-Forwarded-For", r.IP.String())
	if r.Visitor.Country != "" {
		req.Header.Set("CF-IPCountry", r.Visitor.Country)
	}
	if r.Visitor.GPC {
		req.Header.Set("Sec-GPC", "1")
	}
	if err := h.do(req, out); err != nil {
		return fmt.Errorf("seed via http: POST %s: %w", path, err)
	}
	return nil
}

// do runs req and decodes a 2xx JSON answer into out (if not nil).
func (h *HTTP) do(req *http.Request, out any) error {
	resp, err := h.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(b))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("decode answer: %w", err)
		}
	}
	return nil
}
