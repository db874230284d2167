package enrich

import (
	"os"
	"path/filepath"
)

// BundledGeoIPDB is the country database that `make deps` (and `make run`,
// `make test`) install from npm: ip-location-db's geo-whois-asn-country
// (CC0-1.0; built from the RIRs' WHOIS data, CC BY 4.0 by the NRO, and
// geofeeds: see NOTICE at the repository root). The path is relative to
// the repository root: where `make run` starts the collector, and the
// parent of bin/, where `make build` puts it.
const BundledGeoIPDB = "deploy/geo/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb"

// GeoIPDBOff as Config.GeoIPDB turns the country database off, the bundled
// one included.
const GeoIPDBOff = "off"

// GeoIPDBOrBundled returns the country database to use for the configured
// path: path itself when set (GeoIPDBOff included), else BundledGeoIPDB
// in the working directory or the parent of the executable's directory,
// when it exists there, else "" (no database).
func GeoIPDBOrBundled(path string) string {
	if path != "" {
		return path
	}
	candidates := []string{BundledGeoIPDB}
	if exe, err := os.Executable(); err == nil {
		candidates = append(candidates, filepath.Join(filepath.Dir(exe), "..", BundledGeoIPDB))
	}
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && st.Mode().IsRegular() {
			return c
		}
	}
	return ""
}
