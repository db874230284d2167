// Package dashboard holds the built marketers' dashboard that the
// collector serves at /dashboard/. The files are built from src/ by
// `npm run build` and committed; `npm test` fails when they are stale and
// TestBudget when they outgrow Budget.
package dashboard

import _ "embed"

// HTML is dist/index.html: the one page, naming its script and stylesheet
// by the placeholders ScriptRef and StyleRef, which the collector replaces
// with their content-hashed URLs.
//
//go:embed dist/index.html
var HTML []byte

// Script is dist/app.js: the dashboard as a minified IIFE.
//
//go:embed dist/app.js
var Script []byte

// CSS is dist/app.css: its minified stylesheet.
//
//go:embed dist/app.css
var CSS []byte

// The placeholders of HTML.
const (
	ScriptRef = "app.js"
	StyleRef  = "app.css"
)

// Budget is the most bytes Script and CSS may weigh together, gzipped.
const Budget = 80 * 1024
