package ingest

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ashiato/ashiato/collector"
)

// Validate checks h against the limits of the HTTP contract. It does not
// check the site or the URL host (Build does, with the site at hand).
func Validate(h *collector.Hit) *collector.Error {
	if h.Site == "" {
		return collector.Errorf(collector.EInvalid, "site", "required")
	}
	switch h.Type {
	case "":
		h.Type = collector.TypePageview
	case collector.TypePageview, collector.TypeEvent, collector.TypeEngagement:
	default:
		return collector.Errorf(collector.EInvalid, "type", "must be pageview, event or engagement")
	}
	if h.Type == collector.TypeEvent && h.Name == "" {
		return collector.Errorf(collector.EInvalid, "name", "required for type event")
	}
	if h.URL == "" {
		return collector.Errorf(collector.EInvalid, "url", "required")
	}
	if len(h.URL) > collector.MaxURLLen {
		return collector.Errorf(collector.EInvalid, "url", "longer than %d bytes", collector.MaxURLLen)
	}
	if len(h.Referrer) > collector.MaxURLLen {
		return collector.Errorf(collector.EInvalid, "referrer", "longer than %d bytes", collector.MaxURLLen)
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{
		{"name", h.Name, collector.MaxNameLen},
		{"title", h.Title, collector.MaxTitleLen},
		{"screen", h.Screen, 16},
		{"lang", h.Lang, 35},
	} {
		if utf8.RuneCountInString(f.v) > f.max {
			return collector.Errorf(collector.EInvalid, f.name, "longer than %d characters", f.max)
		}
		if !utf8.ValidString(f.v) {
			return collector.Errorf(collector.EInvalid, f.name, "not valid UTF-8")
		}
	}
	for _, f := range []struct{ name, v string }{{"eid", h.EID}, {"vid", h.VID}, {"sid", h.SID}} {
		if !validID(f.v) {
			return collector.Errorf(collector.EInvalid, f.name, "want 1-64 characters of A-Z a-z 0-9 _ -")
		}
	}
	if h.Screen != "" && !validScreen(h.Screen) {
		return collector.Errorf(collector.EInvalid, "screen", `want "WIDTHxHEIGHT"`)
	}
	if h.EngagedMS < 0 || h.EngagedMS > 24*3600*1000 {
		return collector.Errorf(collector.EInvalid, "engaged_ms", "out of range 0..86400000")
	}
	if h.Scroll < 0 || h.Scroll > 100 {
		return collector.Errorf(collector.EInvalid, "scroll", "out of range 0..100")
	}
	if len(h.Props) > collector.MaxProps {
		return collector.Errorf(collector.EInvalid, "props", "more than %d properties", collector.MaxProps)
	}
	for _, p := range h.Props {
		if p.Key == "" || utf8.RuneCountInString(p.Key) > collector.MaxPropKeyLen || !utf8.ValidString(p.Key) {
			return collector.Errorf(collector.EInvalid, "props", "key must have 1-%d characters", collector.MaxPropKeyLen)
		}
		if !p.Valid {
			return collector.Errorf(collector.EInvalid, "props."+p.Key, "value must be a string, number or boolean")
		}
		if utf8.RuneCountInString(p.Value) > collector.MaxPropValueLen {
			return collector.Errorf(collector.EInvalid, "props."+p.Key, "longer than %d characters", collector.MaxPropValueLen)
		}
	}
	return nil
}

func validID(s string) bool {
	if s == "" {
		return true
	}
	if len(s) > collector.MaxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func validScreen(s string) bool {
	w, h, ok := strings.Cut(s, "x")
	if !ok {
		return false
	}
	for _, p := range []string{w, h} {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 100000 {
			return false
		}
	}
	return true
}
