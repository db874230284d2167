// Package sdkjs embeds the built tracking snippet so that the collector
// serves it at /s.js.
package sdkjs

import _ "embed"

// Script is dist/s.js, the minified IIFE that websites embed.
//
//go:embed dist/s.js
var Script []byte
