// Package sdkjs embeds the built tracking snippet so that the collector
// serves it at /s.js. The files are built by `npm run build` in sdk-js/
// and committed; `npm test` fails when they are stale.
package sdkjs

import _ "embed"

// Script is dist/s.js, the minified IIFE that websites embed.
//
//go:embed dist/s.js
var Script []byte

// ESM is dist/s.esm.js, the ES module for bundlers (also published to npm).
//
//go:embed dist/s.esm.js
var ESM []byte

// Budget is the most bytes Script may weigh gzipped.
const Budget = 2048
