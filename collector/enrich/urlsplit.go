package enrich

import "net/url"

// urlSplit is a URL taken apart as net/url takes it apart: Scheme, Opaque,
// Host (authority: host and port), Hostname(), Port(), EscapedPath(),
// RawQuery, EscapedFragment().
type urlSplit struct {
	scheme, opaque, authority, host, port, path, query, fragment string
}

// splitURL takes apart the common shape of a page or referrer URL without
// net/url's allocations: "http" or "https" in lower case, "://", a host of
// letters, digits, dots and hyphens with an optional numeric port, and a
// path and fragment of characters that net/url leaves as they are (no
// percent-escapes). The query is taken as it is, as net/url does. For
// anything else ok is false and the caller uses net/url; whenever ok is
// true the parts are those net/url gives (FuzzSplitURL).
func splitURL(raw string) (s urlSplit, ok bool) {
	rest := raw
	switch {
	case len(rest) > 7 && rest[:7] == "http://":
		s.scheme, rest = "http", rest[7:]
	case len(rest) > 8 && rest[:8] == "https://":
		s.scheme, rest = "https", rest[8:]
	default:
		return s, false
	}
	i := 0
	for i < len(rest) && isHostChar(rest[i]) {
		i++
	}
	if i == 0 {
		return s, false
	}
	s.host = rest[:i]
	if i < len(rest) && rest[i] == ':' {
		j := i + 1
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j == i+1 {
			return s, false
		}
		s.port, i = rest[i+1:j], j
	}
	s.authority, rest = rest[:i], rest[i:]
	i = 0
	for i < len(rest) && isPathChar(rest[i]) {
		i++
	}
	if i > 0 && rest[0] != '/' {
		return s, false
	}
	s.path, rest = rest[:i], rest[i:]
	if rest != "" && rest[0] == '?' {
		i = 1
		for i < len(rest) && rest[i] != '#' {
			if c := rest[i]; c < 0x21 || c == 0x7f {
				return s, false // net/url refuses control characters; spaces left to it too
			}
			i++
		}
		s.query, rest = rest[1:i], rest[i:]
	}
	if rest != "" && rest[0] == '#' {
		i = 1
		for i < len(rest) && (isPathChar(rest[i]) || rest[i] == '?') {
			i++
		}
		s.fragment, rest = rest[1:i], rest[i:]
	}
	return s, rest == ""
}

func isHostChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-'
}

// isPathChar: unreserved characters and the sub-delimiters, ':', '@' and
// '/', which net/url keeps as they are in a path and a fragment.
func isPathChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	switch c {
	case '-', '.', '_', '~', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', ':', '@', '/':
		return true
	}
	return false
}

// parseURL is url.Parse's parts of raw, through splitURL when it can.
func parseURL(raw string) (urlSplit, error) {
	if s, ok := splitURL(raw); ok {
		return s, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return urlSplit{}, err
	}
	return urlSplit{scheme: u.Scheme, opaque: u.Opaque, authority: u.Host, host: u.Hostname(), port: u.Port(),
		path: u.EscapedPath(), query: u.RawQuery, fragment: u.EscapedFragment()}, nil
}
