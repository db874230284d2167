// Package config loads ashiato's configuration: command-line flags, then
// ASHIATO_* environment variables, then the YAML file, then defaults. Every
// setting is declared once, in settings.go, which drives all three.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/batch"
	"github.com/ashiato/ashiato/collector/enrich"
	"github.com/ashiato/ashiato/collector/segment"
	"github.com/ashiato/ashiato/collector/spool"
	"github.com/ashiato/ashiato/collector/store"
)

// Config is the whole configuration of the collector.
type Config struct {
	Listen   string `yaml:"listen"`
	DataDir  string `yaml:"data_dir"`
	LogLevel string `yaml:"log_level"`
	// SecretFile holds the server secret that signs consent tokens and keys
	// user-ID hashes. Every collector instance of a deployment must share it.
	// Default: DATA_DIR/secret, generated at first start.
	SecretFile string `yaml:"secret_file"`
	PublicURL  string `yaml:"public_url"` // the collector's public origin, for the demo page and docs
	// DebugListen, when set, serves Go's pprof endpoints and the UA
	// enricher's counters on this address (keep it on loopback).
	DebugListen string `yaml:"debug_listen"`
	// MetricsListen, when set, serves /metrics on this address (loopback or
	// an internal network); MetricsToken, when set, also serves it on the
	// public address to requests with "Authorization: Bearer <token>".
	// With neither, /metrics is not served.
	MetricsListen string `yaml:"metrics_listen"`
	MetricsToken  string `yaml:"metrics_token"`
	// AuditRetentionDays is how long audit_log rows are kept (0 = forever).
	AuditRetentionDays int `yaml:"audit_retention_days"`
	// RollupInterval is how often serve refreshes the visits rollup.
	RollupInterval time.Duration `yaml:"rollup_interval"`
	// StatsArchive keeps each site's default dashboard view computed ahead
	// (stats.Archive).
	StatsArchive StatsArchive `yaml:"stats_archive"`

	store.Config `yaml:",inline"`
	Sites        []collector.Site `yaml:"sites"`
	Enrich       enrich.Config    `yaml:"enrich"`
	Spool        spool.Config     `yaml:"spool"`
	Writer       batch.Config     `yaml:"writer"`
	Server       Server           `yaml:"server"`
}

// Server holds the HTTP server's limits.
type Server struct {
	ReadTimeout  time.Duration `yaml:"read_timeout"`
	WriteTimeout time.Duration `yaml:"write_timeout"`
	IdleTimeout  time.Duration `yaml:"idle_timeout"`
	MaxConns     int           `yaml:"max_conns"`
	// MaxConnsPerIP caps the connections of one client address (trusted
	// proxies excepted); 0 = max_conns.
	MaxConnsPerIP int     `yaml:"max_conns_per_ip"`
	RatePerIP     float64 `yaml:"rate_per_ip"` // sustained requests per second per client (IP + User-Agent; 10x per IP); 0 = off
	RateBurst     int     `yaml:"rate_burst"`
	// AdminAuthFailures is how many failed admin authentications a client
	// address may have per minute before it gets 429.
	AdminAuthFailures int `yaml:"admin_auth_failures"`
}

// StatsArchive: how often the default views are computed ahead (0 = never)
// and how many visits a site's view must count to be answered from them.
type StatsArchive struct {
	Every     time.Duration `yaml:"every"`
	MinVisits int64         `yaml:"min_visits"`
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Listen:   "127.0.0.1:8080",
		DataDir:  "./data",
		LogLevel: "info",
		Config:   store.Config{DSN: "clickhouse://127.0.0.1:9000/ashiato"},
		Server: Server{
			ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second,
			MaxConns: 10000, RatePerIP: 200, RateBurst: 400, AdminAuthFailures: 20, MaxConnsPerIP: 500,
		},
		AuditRetentionDays: 730,
		RollupInterval:     time.Minute,
		StatsArchive:       StatsArchive{Every: time.Minute, MinVisits: 100_000},
	}
}

// Load parses args (flags of one subcommand, registered on fs by the caller
// with Flags) and fills the configuration from flags, environment, file.
func Load(fs *flag.FlagSet, args []string, getenv func(string) string) (Config, error) {
	vals := map[string]*string{}
	var path string
	fs.StringVar(&path, "config", "", "YAML configuration file (env ASHIATO_CONFIG)")
	for _, s := range Settings {
		v := new(string)
		vals[s.Name] = v
		fs.StringVar(v, s.Name, "", s.Help+" (env "+s.Env()+")")
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if path == "" {
		path = getenv("ASHIATO_CONFIG")
	}
	cfg := Default()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("read config: %w", err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			return Config{}, fmt.Errorf("config %s: %w", path, err)
		}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, s := range Settings {
		v, ok := *vals[s.Name], set[s.Name]
		if !ok {
			v, ok = getenv(s.Env()), getenv(s.Env()) != ""
		}
		if !ok {
			continue
		}
		if err := s.Set(&cfg, v); err != nil {
			return Config{}, fmt.Errorf("%s (--%s / %s): %w", s.Name, s.Name, s.Env(), err)
		}
	}
	if err := cfg.Finish(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// Finish fills defaults that depend on other settings and validates.
func (c *Config) Finish() error {
	if len(c.Sites) == 0 {
		c.Sites = []collector.Site{DemoSite()}
	}
	if c.Spool.Dir == "" {
		c.Spool.Dir = c.DataDir + "/spool"
	}
	if c.SecretFile == "" {
		c.SecretFile = c.DataDir + "/secret"
	}
	c.Enrich.GeoIPDB = enrich.GeoIPDBOrBundled(c.Enrich.GeoIPDB)
	seen := map[string]bool{}
	for i := range c.Sites {
		s := &c.Sites[i]
		if err := FinishSite(s); err != nil {
			return err
		}
		if seen[s.ID] {
			return fmt.Errorf("site %s: configured twice", s.ID)
		}
		seen[s.ID] = true
	}
	if c.RollupInterval < time.Second {
		return fmt.Errorf("rollup_interval %s: want 1s or more", c.RollupInterval)
	}
	if a := c.StatsArchive; a.Every < 0 || (a.Every > 0 && a.Every < time.Second) || a.MinVisits < 0 {
		return fmt.Errorf("stats_archive every %s, min_visits %d: want every 0 (off) or 1s or more, min_visits 0 or more", a.Every, a.MinVisits)
	}
	if c.AuditRetentionDays < 0 {
		return fmt.Errorf("audit_retention_days %d: want 0 (forever) or more", c.AuditRetentionDays)
	}
	if err := c.Spool.Validate(); err != nil {
		return err
	}
	return nil
}

// FinishSite fills a site's defaults and checks it.
func FinishSite(s *collector.Site) error {
	if s.ID == "" {
		return errors.New("site: id is required")
	}
	if len(s.Hosts) == 0 {
		return fmt.Errorf("site %s: hosts: at least one host is required", s.ID)
	}
	if len(s.Purposes) == 0 {
		s.Purposes = DefaultPurposes()
	}
	if s.Purpose(collector.PurposeNecessary) == nil {
		return fmt.Errorf("site %s: purposes: %q is required", s.ID, collector.PurposeNecessary)
	}
	for _, p := range s.Purposes {
		for _, c := range p.Capabilities {
			if _, ok := collector.CapabilityNames[c]; !ok {
				return fmt.Errorf("site %s: purpose %s: unknown capability %q", s.ID, p.ID, c)
			}
		}
	}
	switch s.AnonymousMode {
	case "":
		s.AnonymousMode = collector.AnonymousAggregate
	case collector.AnonymousAggregate, collector.AnonymousDrop:
	default:
		return fmt.Errorf("site %s: anonymous_mode %q: want aggregate or drop", s.ID, s.AnonymousMode)
	}
	if s.RetentionDays == 0 {
		s.RetentionDays = 395
	}
	if s.LedgerRetentionDays == 0 {
		s.LedgerRetentionDays = 365 * 5
	}
	if s.TimeZone == "" {
		s.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil {
		return fmt.Errorf("site %s: time_zone: %w", s.ID, err)
	}
	if s.PolicyRevision == 0 {
		s.PolicyRevision = 1
	}
	if s.ConsentMaxAgeDays == 0 {
		s.ConsentMaxAgeDays = 180
	}
	if s.ConsentMaxAgeDays > 395 {
		return fmt.Errorf("site %s: consent_max_age_days %d: at most 13 months (395 days)", s.ID, s.ConsentMaxAgeDays)
	}
	if err := checkURLs(s); err != nil {
		return err
	}
	if s.Banner.Layout == "" {
		s.Banner.Layout = "bar"
	}
	s.UserIDHashing = s.HashUserID == nil || *s.HashUserID
	if err := finishIdentifyKey(s); err != nil {
		return err
	}
	switch {
	case s.AudienceMinSize == 0:
		s.AudienceMinSize = DefaultAudienceMinSize
	case s.AudienceMinSize < 0:
		return fmt.Errorf("site %s: audience_min_size %d: want at least 1", s.ID, s.AudienceMinSize)
	}
	if err := checkTraits(s); err != nil {
		return err
	}
	if err := checkInterests(s); err != nil {
		return err
	}
	if err := checkPreferences(s); err != nil {
		return err
	}
	return checkSegments(s)
}

// checkInterests sets the default half-life and requires each interest
// category to have a unique valid name and at least one rule.
func checkInterests(s *collector.Site) error {
	in := &s.Interests
	switch {
	case in.HalfLifeDays == 0:
		in.HalfLifeDays = DefaultInterestHalfLifeDays
	case in.HalfLifeDays < 1 || in.HalfLifeDays > 365:
		return fmt.Errorf("site %s: interests.half_life_days %d: want 1 to 365", s.ID, in.HalfLifeDays)
	}
	seen := map[string]bool{}
	for _, c := range in.Categories {
		if err := segment.CheckName(c.Name); err != nil {
			return fmt.Errorf("site %s: interest category %q: %w", s.ID, c.Name, err)
		}
		if seen[c.Name] {
			return fmt.Errorf("site %s: interest category %q defined twice", s.ID, c.Name)
		}
		seen[c.Name] = true
		if len(c.Paths)+len(c.Events)+len(c.Props) == 0 {
			return fmt.Errorf("site %s: interest category %q: give paths, events or props", s.ID, c.Name)
		}
	}
	return nil
}

// DefaultInterestHalfLifeDays is the half-life of interest scores unless
// set: an event a month old weighs half as much as one today.
const DefaultInterestHalfLifeDays = 30

// checkTraits requires each declared trait to have a unique valid name
// (not user_id), a known type, and values when it is an enum.
func checkTraits(s *collector.Site) error {
	seen := map[string]bool{}
	for _, d := range s.Traits {
		if err := segment.CheckName(d.Name); err != nil || d.Name == "user_id" {
			return fmt.Errorf("site %s: trait %q: want a name of a-z 0-9 - _ starting with a letter, not user_id", s.ID, d.Name)
		}
		if seen[d.Name] {
			return fmt.Errorf("site %s: trait %q declared twice", s.ID, d.Name)
		}
		seen[d.Name] = true
		switch d.Type {
		case collector.TraitString, collector.TraitInt, collector.TraitBool, collector.TraitEmail, collector.TraitPhone:
		case collector.TraitEnum:
			if len(d.Values) == 0 {
				return fmt.Errorf("site %s: trait %q: an enum needs values", s.ID, d.Name)
			}
		default:
			return fmt.Errorf("site %s: trait %q: type %q: want string, enum, int, bool, email or phone", s.ID, d.Name, d.Type)
		}
	}
	return nil
}

// checkSegments requires each segment of a site to have a unique valid
// name and a rule that parses.
func checkSegments(s *collector.Site) error {
	seen := map[string]bool{}
	for _, g := range s.Segments {
		if err := segment.CheckName(g.Name); err != nil {
			return fmt.Errorf("site %s: segment %q: %w", s.ID, g.Name, err)
		}
		if seen[g.Name] {
			return fmt.Errorf("site %s: segment %q defined twice", s.ID, g.Name)
		}
		seen[g.Name] = true
		n, err := segment.Parse(g.Rule)
		if err != nil {
			return fmt.Errorf("site %s: segment %q: %w", s.ID, g.Name, err)
		}
		for _, t := range segment.Traits(n) {
			if s.Trait(t) == nil {
				return fmt.Errorf("site %s: segment %q: trait %q is not declared in the site's traits", s.ID, g.Name, t)
			}
		}
	}
	return nil
}

// checkURLs requires the links a site shows visitors (its privacy policy
// and its recipients' policies) to be absolute http(s) URLs: the banner and
// the external-transmission page render them as links, and a javascript:
// or data: URL there would run in the visitor's browser.
func checkURLs(s *collector.Site) error {
	if err := httpURL(s.PolicyURL); err != nil {
		return fmt.Errorf("site %s: policy_url: %w", s.ID, err)
	}
	for _, p := range s.Purposes {
		for _, r := range p.Recipients {
			if err := httpURL(r.Policy); err != nil {
				return fmt.Errorf("site %s: purpose %s: recipient %q: policy: %w", s.ID, p.ID, r.Name, err)
			}
		}
	}
	return nil
}

// httpURL accepts "" (not set), absolute http(s) URLs with a host, and
// paths on the collector's own origin ("/privacy/demo/external").
func httpURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err == nil && u.Scheme == "" && u.Host == "" && strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//") {
		return nil
	}
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q: want an absolute http(s) URL", v)
	}
	return nil
}

// DefaultAudienceMinSize is a site's audience_min_size unless set: about
// the smallest list that ad platforms such as Google's Customer Match and
// Meta's custom audiences serve ads to, so that a default export never
// hands out a handful of people.
const DefaultAudienceMinSize = 100
