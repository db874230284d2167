package web

import (
	"html/template"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
)

// RegisterPrivacy serves /.well-known/gpc.json (we honour Global Privacy
// Control) and each site's public external-transmission page
// (/privacy/{site}/external, 外部送信規律 under Japan's Telecommunications
// Business Act), generated from the same config as the banner.
func RegisterPrivacy(app fiber.Router, sites func(id string) *collector.Site, updated time.Time) {
	app.Get("/.well-known/gpc.json", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
		c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
		return c.JSON(fiber.Map{"gpc": true, "lastUpdate": updated.Format(time.DateOnly)})
	})
	app.Get("/privacy/:site/external", func(c *fiber.Ctx) error {
		site := sites(c.Params("site"))
		if site == nil {
			return c.Status(fiber.StatusNotFound).SendString("unknown site")
		}
		lang := c.Query("lang")
		if lang != "en" && lang != "ja" {
			lang = "ja"
			if al := c.Get(fiber.HeaderAcceptLanguage); len(al) >= 2 && al[:2] == "en" {
				lang = "en"
			}
		}
		setHTMLHeaders(c, htmlPolicy{})
		c.Set(fiber.HeaderCacheControl, "public, max-age=300")
		return externalPage.Execute(c, externalData{Site: site, Lang: lang, L: labels[lang]})
	})
}

type externalData struct {
	Site *collector.Site
	Lang string
	L    map[string]string
}

var labels = map[string]map[string]string{
	"ja": {
		"title": "外部送信に関する公表事項", "intro": "本サイトでは、以下の目的のために、利用者の情報を外部の事業者に送信することがあります。必須以外の目的については、同意をいただいた場合にのみ送信します。",
		"purpose": "目的", "recipient": "送信先", "data": "送信される情報", "use": "送信先での利用目的", "none": "外部への送信はありません。",
		"required": "（必須）", "policy": "プライバシーポリシー", "other": "English", "otherLang": "en",
	},
	"en": {
		"title": "External transmission of user information", "intro": "For the purposes below, this site may send information about you to other companies. For purposes other than strictly necessary ones, it does so only with your consent.",
		"purpose": "Purpose", "recipient": "Recipient", "data": "Data sent", "use": "Recipient's purpose", "none": "Nothing is sent to other companies.",
		"required": " (always on)", "policy": "Privacy policy", "other": "日本語", "otherLang": "ja",
	},
}

var externalPage = template.Must(template.New("external").Funcs(template.FuncMap{
	"in": func(t collector.Text, lang string) string { return t.In(lang) },
}).Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.L.title}} — {{.Site.ID}}</title>
<style>body{font:16px/1.6 system-ui,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #999;padding:.4rem .6rem;text-align:left;vertical-align:top}th{background:#eee}</style>
</head><body>
<p><a href="?lang={{.L.otherLang}}" hreflang="{{.L.otherLang}}">{{.L.other}}</a></p>
<h1>{{.L.title}}</h1>
<p>{{.L.intro}}</p>
{{$lang := .Lang}}{{$L := .L}}
{{range .Site.Purposes}}
<h2 id="{{.ID}}">{{in .Title $lang}}{{if .Required}}{{$L.required}}{{end}}</h2>
<p>{{in .Description $lang}}</p>
{{if .Recipients}}
<table><thead><tr><th scope="col">{{$L.recipient}}</th><th scope="col">{{$L.data}}</th><th scope="col">{{$L.use}}</th></tr></thead><tbody>
{{range .Recipients}}<tr><td>{{if .Policy}}<a href="{{.Policy}}">{{.Name}}</a>{{else}}{{.Name}}{{end}}</td><td>{{in .Data $lang}}</td><td>{{in .Purpose $lang}}</td></tr>{{end}}
</tbody></table>
{{else}}<p>{{$L.none}}</p>{{end}}
{{end}}
{{if .Site.PolicyURL}}<p><a href="{{.Site.PolicyURL}}">{{.L.policy}}</a></p>{{end}}
</body></html>
`))
