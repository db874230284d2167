package enrich

import (
	"strings"

	"github.com/Shopify/goreferrer"
)

// Referrer sources.
const (
	SourceSearch   = "search"
	SourceSocial   = "social"
	SourceEmail    = "email"
	SourceAI       = "ai" // an AI assistant (ChatGPT, Perplexity, Gemini, ...)
	SourcePaid     = "paid"
	SourceInternal = "internal"
	SourceDirect   = "direct"
	SourceOther    = "other"
)

// RefInfo is a classified referrer.
type RefInfo struct {
	Host   string // lower case, without port; "" for direct traffic
	Path   string // path of the referrer (query and fragment dropped)
	Source string // search, social, email, ai, paid, internal, direct, other
	Name   string // e.g. "Google", "Facebook", "Gmail"; "" when not known
}

// Referrer classifies where a visit came from, in this order: paid (a paid
// utm_medium, a click ID, or a Google Ads click referrer), email
// (utm_medium=email), direct (no referrer), internal (isSiteHost says the
// referrer is the site itself), search, social or email by the referrer's
// host in Shopify's goreferrer dataset (Snowplow's referer-parser data)
// plus the hosts of data/referrers/extra.tsv (AI assistants among them:
// source ai), social or search by utm_medium, and other. A visit without
// a referrer whose utm_source is an AI assistant's host is ai: the
// assistants' apps send no referrer, and ChatGPT tags the links it cites
// with utm_source=chatgpt.com. isSiteHost may be nil.
func Referrer(raw string, isSiteHost func(host string) bool, utmSource, utmMedium string, hasClickID bool) RefInfo {
	var r RefInfo
	raw = strings.TrimSpace(raw)
	medium := strings.ToLower(strings.TrimSpace(utmMedium))
	var rule ruleMatch
	if raw != "" {
		if u, err := parseURL(raw); err == nil {
			r.Host, r.Path = refHost(u)
			rule = lookupReferrer(r.Host, r.Path)
			r.Name = rule.label
		}
	}
	switch {
	case hasClickID || paidMedium(medium) || rule.label == "Google" && isAdClickPath(r.Path):
		r.Source = SourcePaid
	case emailMedium(medium):
		r.Source = SourceEmail
	case raw == "":
		r.Source = byMedium(medium, SourceDirect)
		if m := aiBySource(utmSource); r.Source == SourceDirect && m.source == SourceAI {
			r.Source, r.Name = SourceAI, m.label
		}
	case r.Host != "" && isSiteHost != nil && isSiteHost(r.Host):
		r.Source, r.Name = SourceInternal, ""
	case rule.source != "":
		r.Source = rule.source
	default:
		r.Source = byMedium(medium, SourceOther)
	}
	return r
}

// refHost returns the referrer's lower-case host without port or trailing
// dot, and its path. App referrers (android-app://package/) are mapped to
// the web host of the app where one is known.
func refHost(u urlSplit) (host, path string) {
	host = strings.TrimSuffix(strings.ToLower(u.host), ".")
	path = u.path
	if strings.EqualFold(u.scheme, "android-app") {
		if web, ok := androidApps[host]; ok {
			return web, "/"
		}
	}
	if path == "" && host != "" {
		path = "/"
	}
	return host, path
}

// androidApps maps Android package names, which Android apps send as
// android-app:// referrers, to the web host they stand for.
var androidApps = map[string]string{
	"com.google.android.gm":                   "mail.google.com",
	"com.google.android.googlequicksearchbox": "www.google.com",
	"com.facebook.katana":                     "facebook.com",
	"com.instagram.android":                   "instagram.com",
	"com.twitter.android":                     "twitter.com",
	"jp.naver.line.android":                   "line.me",
	"com.linkedin.android":                    "linkedin.com",
	"com.reddit.frontpage":                    "reddit.com",
	"com.pinterest":                           "pinterest.com",
	"com.zhiliaoapp.musically":                "tiktok.com",
}

func isAdClickPath(p string) bool {
	return strings.HasPrefix(p, "/aclk") || strings.HasPrefix(p, "/pagead/aclk")
}

// paidMedium reports whether a (lower-case) utm_medium marks paid traffic:
// cost-per-X media (cpc, cpm, cpv, cpa, ppc), paid*, display advertising
// and affiliates (paid by commission).
func paidMedium(m string) bool {
	switch m {
	case "ppc", "display", "banner", "retargeting", "remarketing", "affiliate", "affiliates",
		"sem", "ads", "ad", "cpm", "cpc", "cpv", "cpa", "cpp", "paidsearch", "paidsocial":
		return true
	}
	return strings.HasPrefix(m, "paid") || strings.HasPrefix(m, "cpc") || strings.HasSuffix(m, "_cpc") ||
		strings.HasSuffix(m, "-cpc")
}

// emailMedium reports whether a (lower-case) utm_medium marks e-mail.
func emailMedium(m string) bool {
	switch m {
	case "email", "e-mail", "e_mail", "e mail", "mail", "newsletter", "mailmagazine", "mail_magazine":
		return true
	}
	return false
}

// byMedium classifies unpaid, non-email traffic by utm_medium.
func byMedium(m, otherwise string) string {
	switch m {
	case "social", "social-network", "social_network", "social-media", "social_media", "sm", "sns":
		return SourceSocial
	case "organic":
		return SourceSearch
	}
	return otherwise
}

type ruleMatch struct{ source, label string }

type pathRule struct {
	prefix string
	rule   ruleMatch
}

// referrerIndex is goreferrer's dataset keyed by host, with the entries
// that also name a path ("google.com/imgres") kept per host.
var referrerIndex = buildReferrerIndex()

type refIndex struct {
	hosts map[string]ruleMatch
	paths map[string][]pathRule
}

func buildReferrerIndex() refIndex {
	x := refIndex{hosts: map[string]ruleMatch{}, paths: map[string][]pathRule{}}
	for key, r := range goreferrer.DefaultRules.DomainRules {
		var m ruleMatch
		switch r.Type {
		case goreferrer.Search:
			m = ruleMatch{SourceSearch, r.Label}
		case goreferrer.Social:
			m = ruleMatch{SourceSocial, r.Label}
		case goreferrer.Email:
			m = ruleMatch{SourceEmail, r.Label}
		default:
			continue
		}
		key = strings.ToLower(key)
		if host, path, ok := strings.Cut(key, "/"); ok {
			x.paths[host] = append(x.paths[host], pathRule{"/" + strings.TrimSuffix(path, "/"), m})
			continue
		}
		x.hosts[key] = m
	}
	for _, e := range extraReferrers() {
		if host, path, ok := strings.Cut(e.host, "/"); ok {
			x.paths[host] = append([]pathRule{{"/" + path, e.rule}}, x.paths[host]...)
			continue
		}
		x.hosts[e.host] = e.rule
	}
	return x
}

// lookupReferrer finds the most specific rule for host and path: rules
// with a path first, then host rules; each for the host itself, then for
// each parent domain ("l.facebook.com", then "facebook.com").
func lookupReferrer(host, path string) ruleMatch {
	for h := host; strings.Contains(h, "."); h = parentDomain(h) {
		for _, pr := range referrerIndex.paths[h] {
			if path == pr.prefix || strings.HasPrefix(path, pr.prefix+"/") {
				return pr.rule
			}
		}
	}
	for h := host; strings.Contains(h, "."); h = parentDomain(h) {
		if m, ok := referrerIndex.hosts[h]; ok {
			return m
		}
	}
	return ruleMatch{}
}

// aiBySource returns the rule of a utm_source that is a host name
// ("chatgpt.com").
func aiBySource(utmSource string) ruleMatch {
	s := strings.ToLower(strings.TrimSpace(utmSource))
	if !strings.Contains(s, ".") || strings.ContainsAny(s, "/: ") {
		return ruleMatch{}
	}
	return lookupReferrer(s, "/")
}

func parentDomain(h string) string {
	_, parent, _ := strings.Cut(h, ".")
	return parent
}
