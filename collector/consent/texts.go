package consent

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/ashiato/ashiato/collector"
)

// BannerConfig is what GET /api/consent/config returns and what the banner
// renders: one site's purposes, texts and recipients for its current policy
// revision. The same structure is stored per revision in consent_texts, so
// a ledger row's texts_hash resolves to exactly what the visitor was shown.
type BannerConfig struct {
	Site              string                       `json:"site"`
	Revision          int                          `json:"revision"`
	PolicyURL         string                       `json:"policy_url"`
	Layout            string                       `json:"layout"`
	Lang              string                       `json:"lang"`
	FloatingButton    bool                         `json:"floating_button"`
	GoogleConsentMode bool                         `json:"google_consent_mode"`
	MaxAgeDays        int                          `json:"max_age_days"`
	Title             collector.Text               `json:"title,omitempty"`
	Text              collector.Text               `json:"text,omitempty"`
	Purposes          []collector.Purpose          `json:"purposes"`
	Strings           map[string]map[string]string `json:"strings,omitempty"`
	TextsHash         string                       `json:"texts_hash"`
}

// NewBannerConfig builds the banner configuration of site.
func NewBannerConfig(site *collector.Site) BannerConfig {
	c := BannerConfig{
		Site: site.ID, Revision: site.PolicyRevision, PolicyURL: site.PolicyURL,
		Layout: site.Banner.Layout, Lang: site.Banner.Lang,
		FloatingButton: site.Banner.FloatingButton, GoogleConsentMode: site.Banner.ConsentMode,
		MaxAgeDays: site.ConsentMaxAgeDays,
		Title:      site.Banner.Title, Text: site.Banner.Text, Purposes: site.Purposes,
		Strings: site.Banner.Strings,
	}
	c.TextsHash = TextsHash(c)
	return c
}

// TextsHash is the SHA-256 of the canonical JSON of everything the visitor
// is shown: revision, texts, purposes and recipients (maps are encoded with
// sorted keys, so the hash is stable).
func TextsHash(c BannerConfig) string {
	shown := struct {
		Site      string                       `json:"site"`
		Revision  int                          `json:"revision"`
		PolicyURL string                       `json:"policy_url"`
		Title     collector.Text               `json:"title"`
		Text      collector.Text               `json:"text"`
		Purposes  []collector.Purpose          `json:"purposes"`
		Strings   map[string]map[string]string `json:"strings,omitempty"`
	}{c.Site, c.Revision, c.PolicyURL, c.Title, c.Text, c.Purposes, c.Strings}
	b, _ := json.Marshal(shown)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// JSON returns the configuration as stored in consent_texts.
func (c BannerConfig) JSON() string {
	b, _ := json.Marshal(c)
	return string(b)
}
