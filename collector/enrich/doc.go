// Package enrich is the enrichment stage: it turns what a hit's request
// carries (client address, User-Agent, page URL, referrer) into the fields
// of an events row, after which the raw address and User-Agent are
// dropped. It does not log either, ever.
//
// # Client address and country
//
// ClientIP believes X-Forwarded-For only when the TCP peer is one of the
// configured trusted proxies, and then walks it from the right past every
// trusted proxy, so a client cannot forge its address by sending the
// header itself. Country reads a CDN's country header (CF-IPCountry,
// CloudFront-Viewer-Country, ...) when the operator says a CDN sets them,
// else looks the address up in an optional MaxMind-format country database
// (GeoLite2/GeoIP2 Country, DB-IP Country Lite).
//
// # User-Agent
//
// Parsing uses uap-core's regexes as compiled by uap-go, but not uap-go's
// Parser.Parse, which consults a locked LRU cache and starts three
// goroutines per call. Instead:
//
//   - A literal prefilter. For each regex, the parse tree yields sets of
//     literals that every match satisfies together: one of "chrome/", and
//     one of "." (for "(Chrome)/(\d+)\.(\d+)"). One pass of an
//     Aho-Corasick automaton over the lower-cased User-Agent finds which
//     literals occur; the regexes in uap-core order then run only if they
//     can match. A regex with a large alternation, such as the hundred
//     names of "(bingbot|Bolt|AdobeAIR|...)", runs without the names whose
//     literals are absent (altReducer; each reduced regex is compiled once
//     and cached). Results are identical to uap-go's: tests compare them
//     over the corpus sample in testdata, the shared corpus and their
//     " Build/…" variants, and a fuzz target compares arbitrary strings.
//   - Crawler-Detect's verdict without its two large alternations
//     (crawlerMatcher): its own patterns, read from the module, are
//     prefiltered by their literals and run one by one, and its exclusion
//     step runs only the exclusions whose leading literals occur. A test
//     compares it with crawlerdetect.IsCrawler over every User-Agent at
//     hand, and fuzz targets compare arbitrary strings.
//   - Enricher.parse skips the device rules when the User-Agent is a bot
//     by the checks that need no parse: a bot's device type is "bot"
//     whatever the device.
//   - Measured on the 2-core development box while it was quiet
//     (BenchmarkUAColdParse, which runs the originals side by side): a
//     cold parse with the bot checks and device type takes about 16 µs for
//     a corpus User-Agent and 20 µs for a " Build/…" variant (before: 210
//     and 370 µs), against about 0.9 ms for uap-go's three parsers in
//     sequence plus 0.12–0.2 ms for crawlerdetect.IsCrawler.
//   - Our own cache, keyed by a seeded 64-bit hash of the string: sharded
//     maps behind read locks, with generational eviction. A hit costs
//     40–110 ns (hashing the string is most of it) and does not allocate
//     (BenchmarkUACachedHit; a test asserts zero allocations).
//   - UACached never parses on the caller's goroutine: a miss queues the
//     string (bounded queue, one entry per distinct string in flight) for
//     background workers and returns false; UA parses at once.
//
// Bot combines the UA-only verdicts computed at parse time (empty
// User-Agent, headless markers, uap-core's Spider device, the patterns of
// the npm package isbot (data/isbot, refreshed by `make bot-patterns`; Go
// regexps with its JavaScript lookarounds rewritten, isbotjs.go), the
// Crawler-Detect dataset) with the SDK's navigator.webdriver flag. Before
// the isbot and Crawler-Detect patterns run, the tokens of browsers and
// in-app browsers that people use which those patterns would match (Slack's
// desktop app, Roblox's and Outlook's in-app browsers, Ladybird, old phone
// browsers, …) are cut out of the string, as Crawler-Detect does with its
// own exclusions: data/botexclusions/exclusions.tsv, one pattern and its
// reason a line (botexclusions.go). They all
// run on a cache miss only: a cached User-Agent carries its verdict. Bots
// are flagged, not dropped.
//
// # URLs and referrers
//
// ParseURL normalises a page URL (host, port, path, fragment dropped),
// extracts UTM parameters and ad click IDs, and keeps only the query
// parameters the caller allows; click IDs never stay in the query.
// Referrer classifies the referrer as search, social, email, ai, paid,
// internal, direct or other, from Shopify's goreferrer dataset (Snowplow's
// referer-parser data), data/referrers/extra.tsv (AI assistants and the
// hosts goreferrer lacks, each with its origin), the UTM source and medium
// and the presence of a click ID.
package enrich
