// Package banner holds the built consent banner that the collector serves at
// /consent.js and /consent.css. The files are built from src/ by
// `npm run build` and committed; a test fails when they are stale.
package banner

import _ "embed"

// Script is dist/consent.js: the banner as a minified IIFE.
//
//go:embed dist/consent.js
var Script []byte

// CSS is dist/consent.css: the banner's minified stylesheet.
//
//go:embed dist/consent.css
var CSS []byte
