package enrich

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// ErrInvalidURL is wrapped by every error of ParseURL. The text after it is
// a short reason that is safe to show to a browser; it never repeats the
// URL.
var ErrInvalidURL = errors.New("invalid URL")

func invalidURL(reason string) error { return fmt.Errorf("%w: %s", ErrInvalidURL, reason) }

// URLParts is a page URL taken apart and normalised.
type URLParts struct {
	Scheme   string // "http" or "https"
	Host     string // lower case, IDNA A-labels (punycode), with the port unless it is the scheme's default
	Hostname string // Host without the port: what site host rules match
	Path     string // dot segments removed, percent-encoding normalised, "/" when empty
	Query    string // kept parameters only, sorted by name, re-encoded; "" when none

	UTMSource, UTMMedium, UTMCampaign, UTMTerm, UTMContent string

	ClickIDType string // canonical parameter name, e.g. "gclid"; "" when none
	ClickID     string
}

// clickIDParams are ad-click identifiers, by canonical name, in the order
// that decides which one is reported when a URL has several. They are
// matched without regard to case and are never left in Query.
var clickIDParams = []string{
	"gclid",     // Google Ads
	"gbraid",    // Google Ads, iOS app-to-web
	"wbraid",    // Google Ads, iOS web-to-app
	"dclid",     // Google Display & Video 360 / Campaign Manager
	"fbclid",    // Meta
	"msclkid",   // Microsoft Advertising
	"yclid",     // Yandex Direct; also Yahoo! JAPAN Ads
	"ttclid",    // TikTok
	"li_fat_id", // LinkedIn
	"twclid",    // X (Twitter)
	"epik",      // Pinterest
	"ScCid",     // Snapchat
	"irclid",    // impact.com (affiliate)
	"rdt_cid",   // Reddit
	"qclid",     // Quora
	"ldtag_cl",  // LINE Ads
	"s_kwcid",   // Adobe Advertising
	"ef_id",     // Adobe Advertising
}

// strippedParams identify a person or a message rather than a campaign
// (e-mail tools' recipient IDs, share IDs, click-source flags). They are
// dropped from Query whatever keepParam says.
var strippedParams = []string{
	"gclsrc", "mc_eid", "mkt_tok", "_hsenc", "_hsmi", "vero_id", "oly_enc_id",
	"oly_anon_id", "wickedid", "igshid", "_kx",
}

// maxParamValue bounds UTM and click-ID values (in bytes); longer ones are
// cut at a character boundary.
const maxParamValue = 256

// ParseURL takes an absolute http(s) URL apart. The host is lower-cased and
// converted to IDNA A-labels, the scheme's default port is dropped, the
// user information and the fragment are dropped (except a hash route, see
// hashRoute), and the path is cleaned.
// Query keeps only parameters for which keepParam (nil: none) is true,
// except click IDs, strippedParams and parameters that look like personal
// data or a secret (personalParam), which are never kept; a hash route's
// query counts as part of the query. UTM parameters and the first click ID
// are extracted whether or not they are kept.
func ParseURL(raw string, keepParam func(name string) bool) (URLParts, error) {
	var p URLParts
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return p, invalidURL("empty")
	}
	u, err := parseURL(raw)
	if err != nil {
		return p, invalidURL("malformed")
	}
	p.Scheme = strings.ToLower(u.scheme)
	switch {
	case p.Scheme != "http" && p.Scheme != "https":
		return p, invalidURL("not an absolute http(s) URL")
	case u.opaque != "" || u.authority == "":
		return p, invalidURL("no host")
	}
	if p.Hostname, err = normHost(u.host); err != nil {
		return p, err
	}
	p.Host = p.Hostname
	switch port := u.port; {
	case port == "", port == "80" && p.Scheme == "http", port == "443" && p.Scheme == "https":
	default:
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return p, invalidURL("bad port")
		}
		if n != 80 && p.Scheme == "http" || n != 443 && p.Scheme == "https" {
			p.Host += ":" + strconv.Itoa(n)
		}
	}
	route, routeQuery := hashRoute(u.fragment)
	p.Path = cleanPath(u.path) + route
	query := u.query
	if routeQuery != "" {
		if query != "" {
			query += "&"
		}
		query += routeQuery
	}
	p.Query = p.query(query, keepParam)
	return p, nil
}

// hashRoute returns the route of a hash-routed single-page app ("#/settings",
// "#!/item/3") so that its pages stay apart, and the route's query ("tab=1"
// of "#/settings?tab=1"), which ParseURL treats as part of the page's query:
// kept as the site's rules keep queries. A fragment that is not a route (an
// in-page anchor, "#top") gives neither.
func hashRoute(frag string) (route, query string) {
	route, query, _ = strings.Cut(frag, "?")
	switch {
	case strings.HasPrefix(route, "/"):
		return "#" + cleanPath(route), query
	case strings.HasPrefix(route, "!/"):
		return "#!" + cleanPath(route[1:]), query
	}
	return "", ""
}

// normHost lower-cases a host name and converts it to IDNA A-labels, or
// canonicalises an IPv6 literal (returned in brackets).
func normHost(h string) (string, error) {
	if strings.Contains(h, ":") {
		a, err := netip.ParseAddr(h)
		if err != nil || a.Zone() != "" {
			return "", invalidURL("bad host")
		}
		return "[" + a.String() + "]", nil
	}
	h = strings.TrimSuffix(h, ".")
	ascii := true
	for i := 0; i < len(h); i++ {
		if h[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if !ascii {
		a, err := idna.Lookup.ToASCII(h)
		if err != nil {
			return "", invalidURL("bad international host")
		}
		h = a
	}
	h = strings.ToLower(h)
	if h == "" || len(h) > 253 {
		return "", invalidURL("bad host")
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 {
			return "", invalidURL("bad host")
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return "", invalidURL("bad host")
			}
		}
	}
	return h, nil
}

// cleanPath normalises an escaped path: percent-encoded unreserved
// characters are decoded, other escapes get upper-case hex digits, "." and
// ".." segments are resolved (RFC 3986 §5.2.4), and "" becomes "/".
func cleanPath(escaped string) string {
	if strings.HasPrefix(escaped, "/") && !strings.Contains(escaped, "%") {
		return removeDotSegments(escaped) // nothing to rewrite: no copy
	}
	var b strings.Builder
	b.Grow(len(escaped) + 1)
	if !strings.HasPrefix(escaped, "/") {
		b.WriteByte('/')
	}
	for i := 0; i < len(escaped); i++ {
		c := escaped[i]
		if c == '%' && i+2 < len(escaped) && ishex(escaped[i+1]) && ishex(escaped[i+2]) {
			d := unhex(escaped[i+1])<<4 | unhex(escaped[i+2])
			if unreserved(d) {
				b.WriteByte(d)
			} else {
				b.WriteByte('%')
				b.WriteByte(upperHex(escaped[i+1]))
				b.WriteByte(upperHex(escaped[i+2]))
			}
			i += 2
			continue
		}
		b.WriteByte(c)
	}
	return removeDotSegments(b.String())
}

// removeDotSegments resolves "." and ".." in a path that starts with "/",
// keeping a trailing slash.
func removeDotSegments(p string) string {
	if !strings.Contains(p, "/.") {
		return p
	}
	segs := strings.Split(p[1:], "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	return "/" + strings.Join(out, "/")
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

func upperHex(c byte) byte {
	if 'a' <= c && c <= 'f' {
		return c - 'a' + 'A'
	}
	return c
}

type param struct{ name, value string }

// query extracts UTM parameters and the click ID from raw and returns the
// kept parameters, sorted by name and re-encoded.
func (p *URLParts) query(raw string, keep func(string) bool) string {
	var buf [8]param // most queries keep a few parameters: no allocation
	kept, size := buf[:0], len(raw)
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(pair, "=")
		name, err1 := url.QueryUnescape(rawName)
		value, err2 := url.QueryUnescape(rawValue)
		if err1 != nil || err2 != nil || name == "" {
			continue // malformed parameters are dropped
		}
		if p.special(name, value) {
			continue
		}
		if keep != nil && keep(name) {
			kept = append(kept, param{name, value})
		}
	}
	if len(kept) == 0 {
		return ""
	}
	slices.SortStableFunc(kept, func(a, b param) int { return strings.Compare(a.name, b.name) })
	var b strings.Builder
	b.Grow(size)
	for i, kv := range kept {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(kv.name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(kv.value))
	}
	return b.String()
}

// special records UTM parameters and click IDs and reports whether the
// parameter must never be kept. A parameter that looks like personal data
// is not recorded as a UTM parameter either (utm_term=a@b.example).
func (p *URLParts) special(name, value string) bool {
	for _, id := range clickIDParams {
		if strings.EqualFold(name, id) {
			v := strings.TrimSpace(value)
			if v != "" && (p.ClickIDType == "" || clickRank(id) < clickRank(p.ClickIDType)) {
				p.ClickIDType, p.ClickID = id, truncate(v, maxParamValue)
			}
			return true
		}
	}
	if personalParam(name, value) {
		return true
	}
	if len(name) > 4 && strings.EqualFold(name[:4], "utm_") {
		var dst *string
		switch strings.ToLower(name[4:]) {
		case "source":
			dst = &p.UTMSource
		case "medium":
			dst = &p.UTMMedium
		case "campaign":
			dst = &p.UTMCampaign
		case "term":
			dst = &p.UTMTerm
		case "content":
			dst = &p.UTMContent
		}
		if dst != nil && *dst == "" {
			*dst = truncate(strings.TrimSpace(value), maxParamValue)
		}
		return false
	}
	for _, s := range strippedParams {
		if strings.EqualFold(name, s) {
			return true
		}
	}
	return false
}

func clickRank(id string) int { return slices.Index(clickIDParams, id) }

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
