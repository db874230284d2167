// Package prefcenter holds the built customer preference center that the
// collector serves at /preferences.js and /preferences.css. The files are
// built from src/ by `npm run build` and committed; a test fails when they
// are stale.
package prefcenter

import _ "embed"

// Script is dist/preferences.js: the component as a minified IIFE.
//
//go:embed dist/preferences.js
var Script []byte

// CSS is dist/preferences.css: its minified stylesheet.
//
//go:embed dist/preferences.css
var CSS []byte
