package config

import (
	"strconv"
	"strings"
	"time"
)

// Setting is one configuration value settable by flag and environment.
type Setting struct {
	Name string // flag name; the environment variable is ASHIATO_ + upper snake case
	YAML string // YAML key path, for the docs
	Help string
	Set  func(c *Config, v string) error
}

// Env returns the environment variable of s.
func (s Setting) Env() string {
	return "ASHIATO_" + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(s.Name))
}

func str(f func(c *Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *f(c) = v; return nil }
}

func dur(f func(c *Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return err
		}
		*f(c) = d
		return nil
	}
}

func i64(f func(c *Config) *int64) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return err
		}
		*f(c) = n
		return nil
	}
}

func boolean(f func(c *Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return err
		}
		*f(c) = b
		return nil
	}
}

func list(f func(c *Config) *[]string) func(*Config, string) error {
	return func(c *Config, v string) error {
		var out []string
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		*f(c) = out
		return nil
	}
}

// Settings lists every setting that flags and ASHIATO_* variables can set.
// The README's configuration table is checked against it by a test.
var Settings = []Setting{
	{"listen", "listen", "address to listen on (host:port; port 0 picks a free one)", str(func(c *Config) *string { return &c.Listen })},
	{"clickhouse-dsn", "clickhouse_dsn", "ClickHouse native-protocol DSN clickhouse://[user:password@]host:port/database", str(func(c *Config) *string { return &c.DSN })},
	{"clickhouse-cluster", "clickhouse_cluster", "ClickHouse cluster (remote_servers) to shard over: *_local tables on every node, Distributed tables over them", str(func(c *Config) *string { return &c.Cluster })},
	{"clickhouse-replicated", "clickhouse_replicated", "use Replicated*MergeTree engines (cluster with Keeper)", boolean(func(c *Config) *bool { return &c.Replicated })},
	{"clickhouse-insert-local", "clickhouse_insert_local", "on a cluster, write events into the DSN node's shard (events_local), not through the Distributed table", boolean(func(c *Config) *bool { return &c.InsertLocal })},
	{"data-dir", "data_dir", "folder for the spool and the generated secret", str(func(c *Config) *string { return &c.DataDir })},
	{"secret-file", "secret_file", "file with the shared server secret (default DATA_DIR/secret, generated)", str(func(c *Config) *string { return &c.SecretFile })},
	{"log-level", "log_level", "debug, info, warn or error", str(func(c *Config) *string { return &c.LogLevel })},
	{"public-url", "public_url", "public origin of the collector, e.g. https://stats.example.com: the absolute URLs it hands out (unsubscribe links, policy URLs) use it", str(func(c *Config) *string { return &c.PublicURL })},
	{"debug-listen", "debug_listen", "serve pprof and enricher counters on this address (loopback only; empty = off)", str(func(c *Config) *string { return &c.DebugListen })},
	{"metrics-listen", "metrics_listen", "serve /metrics on this address only (loopback or internal; empty = off)", str(func(c *Config) *string { return &c.MetricsListen })},
	{"metrics-token", "metrics_token", "also serve /metrics on the public address to Authorization: Bearer <token> (empty = off)", str(func(c *Config) *string { return &c.MetricsToken })},
	{"audit-retention-days", "audit_retention_days", "keep audit_log rows this many days (0 = forever)", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		c.AuditRetentionDays = n
		return err
	}},
	{"rollup-interval", "rollup_interval", "refresh the visits rollup the reports read this often (recent days; every day every 10 minutes)", dur(func(c *Config) *time.Duration { return &c.RollupInterval })},
	{"stats-archive-every", "stats_archive.every", "compute each site's default dashboard view ahead this often (0 = off); served while younger than twice this", dur(func(c *Config) *time.Duration { return &c.StatsArchive.Every })},
	{"stats-archive-min-visits", "stats_archive.min_visits", "answer a site's default view from the archive only when its 30 days count this many visits or more (smaller sites: live)", i64(func(c *Config) *int64 { return &c.StatsArchive.MinVisits })},
	{"batch-interval", "writer.interval", "flush batches to ClickHouse at least this often", dur(func(c *Config) *time.Duration { return &c.Writer.Interval })},
	{"batch-max-rows", "writer.max_rows", "rows per ClickHouse insert", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		c.Writer.MaxRows = n
		return err
	}},
	{"spool-dir", "spool.dir", "spool folder (default DATA_DIR/spool)", str(func(c *Config) *string { return &c.Spool.Dir })},
	{"spool-max-bytes", "spool.max_bytes", "cap on unconfirmed spool bytes; above it hits get 503", i64(func(c *Config) *int64 { return &c.Spool.MaxBytes })},
	{"trusted-proxies", "enrich.trusted_proxies", "comma-separated CIDRs whose X-Forwarded-For, -Host and -Proto are trusted", list(func(c *Config) *[]string { return &c.Enrich.TrustedProxies })},
	{"trust-country-headers", "enrich.trust_country_headers", "read the country from CDN headers (CF-IPCountry, ...)", boolean(func(c *Config) *bool { return &c.Enrich.TrustCountryHeaders })},
	{"geoip-db", "enrich.geoip_db", "MaxMind-format country database (.mmdb); default: the bundled one when installed; off: none", str(func(c *Config) *string { return &c.Enrich.GeoIPDB })},
	{"rate-per-ip", "server.rate_per_ip", "requests per second per client, its IP and User-Agent; 10x that per IP (0 = off)", func(c *Config, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		c.Server.RatePerIP = f
		return err
	}},
	{"max-conns", "server.max_conns", "most concurrent connections", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		c.Server.MaxConns = n
		return err
	}},
	{"max-conns-per-ip", "server.max_conns_per_ip", "most concurrent connections of one client address (trusted proxies excepted)", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		c.Server.MaxConnsPerIP = n
		return err
	}},
}
