package web

import (
	"html/template"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// demoPage is the quickstart page of `make run`: it embeds the banner and
// the snippet exactly as a website owner would, for the built-in demo site.
var demoPage = template.Must(template.New("demo").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ashiato demo</title>
<link rel="stylesheet" href="{{.Base}}/consent.css">
<script src="{{.Base}}/consent.js" data-site="demo" defer></script>
<script src="{{.Base}}/s.js" data-site="demo" data-allow-localhost defer></script>
<script src="/demo/demo.js" defer></script>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem}button{font:inherit}</style>
</head>
<body>
<h1>ashiato demo</h1>
<p>This page embeds the consent banner and the tracking snippet for the built-in
<code>demo</code> site. Every page view, and every click on the button below, becomes a row in
ClickHouse (<code>SELECT * FROM ashiato.events ORDER BY ts DESC LIMIT 10</code>).</p>
<p><button type="button" id="signup">Track a "signup" event</button>
<button type="button" id="privacy-settings">Privacy settings</button></p>
<p><a href="?utm_source=demo&amp;utm_medium=email">Reload with campaign tags</a> ·
<a href="https://example.com/file.pdf">An outbound link</a> ·
<a href="/privacy/demo/external">External transmission (外部送信) disclosure</a></p>
</body>
</html>
`))

// demoScript wires the demo page's buttons; a file, not inline handlers, so
// that the page's Content-Security-Policy needs no 'unsafe-inline'.
const demoScript = `document.getElementById("signup").addEventListener("click", function () {
  if (window.ashiato) ashiato.track("signup", {plan: "demo"});
});
document.getElementById("privacy-settings").addEventListener("click", function () {
  if (window.ashiatoConsent) ashiatoConsent.show();
});
`

// RegisterDemo serves the demo page at /demo/ (and redirects / to it).
func RegisterDemo(app fiber.Router, publicURL string) {
	base := strings.TrimRight(publicURL, "/")
	policy := htmlPolicy{Origin: originOf(base), Scripts: true}
	app.Get("/", func(c *fiber.Ctx) error { return c.Redirect("/demo/", fiber.StatusFound) })
	app.Get("/demo/", func(c *fiber.Ctx) error {
		setHTMLHeaders(c, policy)
		c.Set(fiber.HeaderCacheControl, "no-store")
		return demoPage.Execute(c, struct{ Base string }{base})
	})
	app.Get("/demo/demo.js", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
		c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.SendString(demoScript)
	})
}
