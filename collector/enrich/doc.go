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
//   - A literal prefilter. For each regex, the parse tree yields a set of
//     literals one of which every match must contain ("chrome/", or the
//     alternatives of "(bot|spider|crawl...)"). One pass of an Aho-Corasick
//     automaton over the lower-cased User-Agent finds which literals occur;
//     the regexes in uap-core order are then run only if they can match.
//     Results are identical to uap-go's (a test compares them over the
//     corpus sample in testdata). Measured on the 2-core development box
//     over the 14,072 UAs of the shared uap-core corpus while it was quiet:
//     about 90 µs per cold parse, against 1.3 ms for uap-go's three
//     parsers in sequence and 1.7 ms for its Parse. The Crawler-Detect
//     check adds about 0.17 ms for strings uap-core does not already call a
//     Spider. See BenchmarkUAColdParse, which runs all of them side by side.
//   - Our own cache, keyed by a seeded 64-bit hash of the string: sharded
//     maps behind read locks, with generational eviction. A hit costs
//     40–110 ns (hashing the string is most of it) and does not allocate
//     (BenchmarkUACachedHit; a test asserts zero allocations).
//   - UACached never parses on the caller's goroutine: a miss queues the
//     string (bounded queue, one entry per distinct string in flight) for
//     background workers and returns false; UA parses at once.
//
// Bot combines the UA-only verdicts computed at parse time (empty
// User-Agent, headless markers, uap-core's Spider device, the
// Crawler-Detect dataset) with the SDK's navigator.webdriver flag. Bots are
// flagged, not dropped.
//
// # URLs and referrers
//
// ParseURL normalises a page URL (host, port, path, fragment dropped),
// extracts UTM parameters and ad click IDs, and keeps only the query
// parameters the caller allows; click IDs never stay in the query.
// Referrer classifies the referrer as search, social, email, paid,
// internal, direct or other, from Shopify's goreferrer dataset, the UTM
// medium and the presence of a click ID.
package enrich
