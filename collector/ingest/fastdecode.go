package ingest

import (
	"strconv"
	"unicode/utf8"

	"github.com/ashiato/ashiato/collector"
)

// fastHit decodes the common shape of an event object without reflection:
// exact (case-sensitive) known keys, each at most once; plain strings
// (valid UTF-8, no escapes or control characters); integers for engaged_ms
// and scroll; booleans; props of strings, numbers and booleans. For
// anything else it returns false and Decode uses encoding/json, so results
// and errors are always those of encoding/json. All strings share one copy
// of obj (the request body is Fiber's reused buffer).
func fastHit(obj []byte, h *collector.Hit) bool {
	p := fastParser{b: obj}
	if !p.ws() || p.b[p.i] != '{' {
		return false
	}
	p.s = string(obj)
	p.i++
	var seen uint32
	if !p.ws() {
		return false
	}
	if p.b[p.i] == '}' {
		p.i++
		return p.end()
	}
	for {
		if !p.ws() {
			return false
		}
		key, ok := p.str()
		if !ok || !p.ws() || p.b[p.i] != ':' {
			return false
		}
		p.i++
		if !p.ws() {
			return false
		}
		bit, ok := hitKeys[key]
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		switch key {
		case "wd", "gpc", "retry":
			v, ok := p.boolean()
			if !ok {
				return false
			}
			switch key {
			case "wd":
				h.Webdriver = v
			case "gpc":
				h.GPC = v
			default:
				h.Retry = v
			}
		case "engaged_ms", "scroll":
			v, ok := p.integer()
			if !ok {
				return false
			}
			if key == "scroll" {
				h.Scroll = v
			} else {
				h.EngagedMS = v
			}
		case "props":
			if !p.props(h) {
				return false
			}
		default:
			v, ok := p.str()
			if !ok {
				return false
			}
			*hitString(h, key) = v
		}
		if !p.ws() {
			return false
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return p.end()
		default:
			return false
		}
	}
}

var hitKeys = map[string]uint32{
	"site": 1 << 0, "type": 1 << 1, "name": 1 << 2, "url": 1 << 3, "referrer": 1 << 4,
	"title": 1 << 5, "props": 1 << 6, "screen": 1 << 7, "lang": 1 << 8, "eid": 1 << 9,
	"vid": 1 << 10, "sid": 1 << 11, "consent": 1 << 12, "wd": 1 << 13, "engaged_ms": 1 << 14,
	"scroll": 1 << 15, "gpc": 1 << 16, "retry": 1 << 17,
}

func hitString(h *collector.Hit, key string) *string {
	switch key {
	case "site":
		return &h.Site
	case "type":
		return &h.Type
	case "name":
		return &h.Name
	case "url":
		return &h.URL
	case "referrer":
		return &h.Referrer
	case "title":
		return &h.Title
	case "screen":
		return &h.Screen
	case "lang":
		return &h.Lang
	case "eid":
		return &h.EID
	case "vid":
		return &h.VID
	case "sid":
		return &h.SID
	default: // "consent"
		return &h.Consent
	}
}

type fastParser struct {
	b []byte
	s string // string(b), for substrings
	i int
}

// ws skips JSON whitespace and reports whether input remains.
func (p *fastParser) ws() bool {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return true
		}
	}
	return false
}

// end reports whether only whitespace follows.
func (p *fastParser) end() bool { return !p.ws() }

// str reads a string without escapes, control characters or invalid UTF-8.
func (p *fastParser) str() (string, bool) {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return "", false
	}
	start := p.i + 1
	ascii := true
	for j := start; j < len(p.b); j++ {
		c := p.b[j]
		switch {
		case c == '"':
			if !ascii && !utf8.Valid(p.b[start:j]) {
				return "", false
			}
			p.i = j + 1
			return p.s[start:j], true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= 0x80:
			ascii = false
		}
	}
	return "", false
}

func (p *fastParser) boolean() (bool, bool) {
	switch {
	case hasPrefixAt(p.b, p.i, "true"):
		p.i += 4
		return true, true
	case hasPrefixAt(p.b, p.i, "false"):
		p.i += 5
		return false, true
	}
	return false, false
}

func hasPrefixAt(b []byte, i int, lit string) bool {
	return len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit
}

// number returns the extent of a JSON number at p.i.
func (p *fastParser) number() (string, bool) {
	start, j := p.i, p.i
	if j < len(p.b) && p.b[j] == '-' {
		j++
	}
	switch {
	case j < len(p.b) && p.b[j] == '0':
		j++
	case j < len(p.b) && p.b[j] >= '1' && p.b[j] <= '9':
		for j < len(p.b) && p.b[j] >= '0' && p.b[j] <= '9' {
			j++
		}
	default:
		return "", false
	}
	if j < len(p.b) && p.b[j] == '.' {
		j++
		d := j
		for j < len(p.b) && p.b[j] >= '0' && p.b[j] <= '9' {
			j++
		}
		if j == d {
			return "", false
		}
	}
	if j < len(p.b) && (p.b[j] == 'e' || p.b[j] == 'E') {
		j++
		if j < len(p.b) && (p.b[j] == '+' || p.b[j] == '-') {
			j++
		}
		d := j
		for j < len(p.b) && p.b[j] >= '0' && p.b[j] <= '9' {
			j++
		}
		if j == d {
			return "", false
		}
	}
	p.i = j
	return p.s[start:j], true
}

// integer reads a JSON number that fits an int64 as encoding/json would
// accept it; fractions and exponents are left to encoding/json.
func (p *fastParser) integer() (int64, bool) {
	s, ok := p.number()
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// props reads an object of string, number or boolean values into h.Props,
// reusing its memory. More than collector.MaxProps keys go to encoding/json
// (validation refuses them anyway), so that the sorted insertion stays
// short.
func (p *fastParser) props(h *collector.Hit) bool {
	if p.b[p.i] != '{' {
		return false
	}
	p.i++
	h.Props = h.Props[:0]
	if !p.ws() {
		return false
	}
	if p.b[p.i] == '}' {
		p.i++
		return true
	}
	for {
		if !p.ws() {
			return false
		}
		k, ok := p.str()
		if !ok || !p.ws() || p.b[p.i] != ':' {
			return false
		}
		p.i++
		if !p.ws() {
			return false
		}
		var v string
		switch c := p.b[p.i]; {
		case c == '"':
			if v, ok = p.str(); !ok { // valid UTF-8: stored as it is
				return false
			}
		case c == 't' || c == 'f':
			b, ok := p.boolean()
			if !ok {
				return false
			}
			v, _ = collector.PropValue(b)
		default:
			s, ok := p.number()
			if !ok {
				return false
			}
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return false
			}
			if v, ok = collector.PropValue(f); !ok {
				return false
			}
		}
		h.Props.SetString(k, v, true)
		if len(h.Props) > collector.MaxProps || !p.ws() {
			return false
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return true
		default:
			return false
		}
	}
}
