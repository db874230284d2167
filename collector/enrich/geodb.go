package enrich

import "os"

// BundledGeoIPDB is the country database that `make deps` (and `make run`,
// `make test`) install from npm: ip-location-db's geo-whois-asn-country
// (CC0-1.0; built from the RIRs' WHOIS data, CC BY 4.0 by the NRO, and
// geofeeds: see NOTICE at the repository root). The path is relative to
// the repository root, where `make run` starts the collector.
const BundledGeoIPDB = "deploy/geo/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb"

// GeoIPDBOff as Config.GeoIPDB turns the country database off, the bundled
// one included.
const GeoIPDBOff = "off"

// GeoIPDBOrBundled returns the country database to use for the configured
// path: path itself when set (GeoIPDBOff included), else BundledGeoIPDB
// when that file exists, else "" (no database).
func GeoIPDBOrBundled(path string) string {
	if path != "" {
		return path
	}
	if st, err := os.Stat(BundledGeoIPDB); err == nil && st.Mode().IsRegular() {
		return BundledGeoIPDB
	}
	return ""
}
