package collector

import "strings"

// Anonymous modes: what happens to hits without a valid consent token.
const (
	AnonymousAggregate = "aggregate" // keep, without any stored identifier
	AnonymousDrop      = "drop"      // do not keep at all
)

// Text is a text in several languages, keyed by BCP 47 language ("ja", "en").
type Text map[string]string

// In returns the text in lang, falling back to English, then to any.
func (t Text) In(lang string) string {
	if s, ok := t[lang]; ok {
		return s
	}
	if s, ok := t["en"]; ok {
		return s
	}
	for _, s := range t {
		return s
	}
	return ""
}

// Recipient is a third party that receives data for a purpose: the
// external-transmission disclosure.
type Recipient struct {
	Name    string `yaml:"name" json:"name"`
	Data    Text   `yaml:"data" json:"data"`       // what is sent
	Purpose Text   `yaml:"purpose" json:"purpose"` // what they use it for
	Policy  string `yaml:"policy" json:"policy,omitempty"`
	Country string `yaml:"country" json:"country,omitempty"`
}

// Purpose is one consent purpose of a site.
type Purpose struct {
	ID           string      `yaml:"id" json:"id"`
	Required     bool        `yaml:"required" json:"required"`
	Title        Text        `yaml:"title" json:"title"`
	Description  Text        `yaml:"description" json:"description"`
	Capabilities []string    `yaml:"capabilities" json:"capabilities"`
	Recipients   []Recipient `yaml:"recipients" json:"recipients"`
	Cookies      []string    `yaml:"cookies" json:"cookies,omitempty"` // first-party cookies deleted on withdrawal
}

// Site is one website that sends hits to the collector.
type Site struct {
	ID                  string    `yaml:"id" json:"id"`
	Hosts               []string  `yaml:"hosts" json:"hosts"`     // hostnames pages may have; "*.example.com" allowed
	Origins             []string  `yaml:"origins" json:"origins"` // exact origins; "http://localhost:*" allows any port
	Purposes            []Purpose `yaml:"purposes" json:"purposes"`
	AnonymousMode       string    `yaml:"anonymous_mode" json:"anonymous_mode"`
	RetentionDays       int       `yaml:"retention_days" json:"retention_days"`
	LedgerRetentionDays int       `yaml:"ledger_retention_days" json:"ledger_retention_days"`
	TimeZone            string    `yaml:"time_zone" json:"time_zone"`
	PolicyRevision      int       `yaml:"policy_revision" json:"policy_revision"`
	PolicyURL           string    `yaml:"policy_url" json:"policy_url"`
	ConsentMaxAgeDays   int       `yaml:"consent_max_age_days" json:"consent_max_age_days"`
	Banner              Banner    `yaml:"banner" json:"banner"`
	UserIDHashing       bool      `yaml:"-" json:"hash_user_id"`                  // from HashUserID by config.FinishSite
	QueryAllowlist      []string  `yaml:"query_allowlist" json:"query_allowlist"` // extra query parameters kept in anonymous mode
	// AudienceMinSize is the fewest people an audience export gives out:
	// a smaller audience (after consent is checked again) is refused.
	AudienceMinSize int `yaml:"audience_min_size" json:"audience_min_size"`
	// HashUserID is hash_user_id as configured: user IDs are stored as
	// keyed hashes unless it is false (nil: the default, true).
	HashUserID *bool `yaml:"hash_user_id" json:"-"`
	// IdentifyKey is the secret the site's back end shares with the
	// collector: it signs identify assertions and consent API credentials
	// (JWT HS256, consent.VerifyAssertion). Inline or read from
	// IdentifyKeyFile by config.FinishSite; never sent anywhere.
	IdentifyKey     string `yaml:"identify_key" json:"-"`
	IdentifyKeyFile string `yaml:"identify_key_file" json:"-"`
	// AllowUnsignedIdentify lets the browser name a user ID without an
	// assertion: unsafe, any visitor can then claim any user ID.
	AllowUnsignedIdentify bool `yaml:"allow_unsigned_identify" json:"allow_unsigned_identify"`
	// Segments are the site's named audience segments: rules over
	// behaviour (collector/segment) that `ashiato audience` previews and
	// exports. More can be created with `ashiato audience create`.
	Segments []Segment `yaml:"segments" json:"segments,omitempty"`
	// Traits declares the per-user attributes `ashiato traits import`
	// accepts (from group companies and partners): nothing undeclared is
	// stored.
	Traits []TraitDef `yaml:"traits" json:"traits,omitempty"`
	// Interests configures interest profiles (collector/interest): the
	// content categories and the half-life of their scores.
	Interests Interests `yaml:"interests" json:"interests"`
	// Preferences declares the notice topics of the customer preference
	// center (collector/preferences) and the request deadline.
	Preferences Preferences `yaml:"preferences" json:"preferences"`
}

// Interests are a site's content categories for interest profiles.
type Interests struct {
	HalfLifeDays int                `yaml:"half_life_days" json:"half_life_days"` // default 30
	Categories   []InterestCategory `yaml:"categories" json:"categories,omitempty"`
}

// InterestCategory is one content category: an event belongs to it when
// its path matches one of Paths (a trailing * matches a prefix), its name
// is one of Events, or it has one of the Props (key: value).
type InterestCategory struct {
	Name   string            `yaml:"name" json:"name"`
	Paths  []string          `yaml:"paths" json:"paths,omitempty"`
	Events []string          `yaml:"events" json:"events,omitempty"`
	Props  map[string]string `yaml:"props" json:"props,omitempty"`
}

// Trait types: what a declared trait's values must look like.
const (
	TraitString = "string" // any text up to 256 bytes
	TraitEnum   = "enum"   // one of Values
	TraitInt    = "int"    // a whole number
	TraitBool   = "bool"   // true or false
	TraitEmail  = "email"  // an e-mail address (exports hash it for ad platforms)
	TraitPhone  = "phone"  // a phone number in international form, "+" and digits
)

// TraitDef is one declared trait of a site.
type TraitDef struct {
	Name   string   `yaml:"name" json:"name"`
	Type   string   `yaml:"type" json:"type"`
	Values []string `yaml:"values" json:"values,omitempty"` // enum only
}

// Trait returns the declared trait named name, or nil.
func (s *Site) Trait(name string) *TraitDef {
	for i := range s.Traits {
		if s.Traits[i].Name == name {
			return &s.Traits[i]
		}
	}
	return nil
}

// Segment is a named audience segment of a site.
type Segment struct {
	Name        string `yaml:"name" json:"name"`
	Rule        string `yaml:"rule" json:"rule"`
	Description string `yaml:"description" json:"description,omitempty"`
}

// Banner holds the banner's presentation settings and texts.
type Banner struct {
	Layout         string `yaml:"layout" json:"layout"` // "bar" or "box"
	Lang           string `yaml:"lang" json:"lang"`     // fixed language, or "" to detect
	Title          Text   `yaml:"title" json:"title"`
	Text           Text   `yaml:"text" json:"text"`
	FloatingButton bool   `yaml:"floating_button" json:"floating_button"`
	ConsentMode    bool   `yaml:"google_consent_mode" json:"google_consent_mode"`
	// Strings adds or overrides the banner's UI strings per language:
	// {"fr": {"accept": "Tout accepter", ...}} (keys: see consent-banner/README.md).
	Strings map[string]map[string]string `yaml:"strings" json:"strings,omitempty"`
}

// Purpose returns the purpose with id, or nil.
func (s *Site) Purpose(id string) *Purpose {
	for i := range s.Purposes {
		if s.Purposes[i].ID == id {
			return &s.Purposes[i]
		}
	}
	return nil
}

// Capabilities returns the capabilities that the granted purposes unlock.
func (s *Site) Capabilities(granted []string) Capability {
	var c Capability
	for _, id := range granted {
		if p := s.Purpose(id); p != nil {
			for _, name := range p.Capabilities {
				c |= CapabilityNames[name]
			}
		}
	}
	return c
}

// Segment returns the config file's segment named name, or nil.
func (s *Site) Segment(name string) *Segment {
	for i := range s.Segments {
		if s.Segments[i].Name == name {
			return &s.Segments[i]
		}
	}
	return nil
}

// PurposesWith returns the IDs of the site's purposes that unlock c.
func (s *Site) PurposesWith(c Capability) []string {
	var ids []string
	for _, p := range s.Purposes {
		if s.Capabilities([]string{p.ID}).Has(c) {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

// AllowsHost reports whether a page on host (a port, if any, is ignored)
// belongs to the site.
func (s *Site) AllowsHost(host string) bool {
	host = strings.ToLower(stripPort(host))
	for _, h := range s.Hosts {
		if matchPattern(strings.ToLower(h), host) {
			return true
		}
	}
	return false
}

// AllowsOrigin reports whether a browser Origin header may send hits.
func (s *Site) AllowsOrigin(origin string) bool {
	origin = strings.ToLower(origin)
	for _, o := range s.Origins {
		if matchPattern(strings.ToLower(o), origin) {
			return true
		}
	}
	return false
}

// matchPattern matches s against an exact value or one of two wildcard
// forms: a leading "*." (any subdomain: "*.example.com",
// "https://*.example.com") and a trailing ":*" (any numeric port:
// "http://localhost:*").
func matchPattern(pattern, s string) bool {
	if pattern == s {
		return true
	}
	if base, ok := strings.CutSuffix(pattern, ":*"); ok {
		if len(s) <= len(base) || s[len(base)] != ':' || s[:len(base)] != base {
			return false
		}
		port := s[len(base)+1:] // no concatenation: this runs for every hit
		if port == "" || len(port) > 5 {
			return false
		}
		for _, c := range port {
			if c < '0' || c > '9' {
				return false
			}
		}
		return true
	}
	scheme := ""
	if i := strings.Index(pattern, "://"); i >= 0 {
		scheme, pattern = pattern[:i+3], pattern[i+3:]
	}
	rest, ok := strings.CutPrefix(pattern, "*.")
	if !ok {
		return false
	}
	host, ok := strings.CutPrefix(s, scheme)
	if !ok {
		return false
	}
	cut := len(host) - len(rest) - 1 // where "." + rest would start
	if cut < 1 || host[cut] != '.' || host[cut+1:] != rest {
		return false
	}
	sub := host[:cut]
	return !strings.ContainsAny(sub, "/:@?#")
}

// stripPort removes a ":port" suffix from a host ("[::1]:80" → "[::1]").
func stripPort(host string) string {
	i := strings.LastIndexByte(host, ':')
	if i < 0 || strings.HasSuffix(host, "]") {
		return host
	}
	if strings.Count(host, ":") > 1 && !strings.HasPrefix(host, "[") {
		return host // a bare IPv6 address
	}
	return host[:i]
}
