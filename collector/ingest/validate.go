package ingest

import (
	"math"
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
	for k, v := range h.Props {
		if k == "" || utf8.RuneCountInString(k) > collector.MaxPropKeyLen || !utf8.ValidString(k) {
			return collector.Errorf(collector.EInvalid, "props", "key must have 1-%d characters", collector.MaxPropKeyLen)
		}
		s, ok := PropString(v)
		if !ok {
			return collector.Errorf(collector.EInvalid, "props."+k, "value must be a string, number or boolean")
		}
		if utf8.RuneCountInString(s) > collector.MaxPropValueLen {
			return collector.Errorf(collector.EInvalid, "props."+k, "longer than %d characters", collector.MaxPropValueLen)
		}
	}
	return nil
}

// PropString renders a property value as stored; ok is false for types
// other than string, number and boolean.
func PropString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, utf8.ValidString(v)
	case bool:
		return strconv.FormatBool(v), true
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "", false
		}
		return strconv.FormatFloat(v, 'f', -1, 64), true
	default:
		return "", false
	}
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
