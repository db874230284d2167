package customer

import (
	"html/template"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/ingest"
)

// The one-click unsubscribe endpoint (RFC 8058): a mail's
// List-Unsubscribe header names https://collector/api/unsubscribe?t=TOKEN
// and List-Unsubscribe-Post says "List-Unsubscribe=One-Click". A mail
// client POSTs that body to the URL; a person who opens the link gets a
// page with a button that POSTs the same. GET never changes anything
// (link scanners and prefetchers open links). The token is signed per
// recipient and topic (preferences.MintLink) and works once.

var page = template.Must(template.New("unsubscribe").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Heading}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
button{font:inherit;padding:.5rem 1.25rem;border:0;border-radius:4px;background:#0b57d0;color:#fff;cursor:pointer}
button:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}</style></head>
<body><main><h1>{{.Heading}}</h1><p>{{.Text}}</p>
{{if .Form}}<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">{{.Button}}</button></form>{{end}}
</main></body></html>`))

type pageData struct {
	Lang, Heading, Text, Button string
	Form                        bool
}

// lang picks ja or en from Accept-Language.
func lang(c *fiber.Ctx) string {
	if strings.HasPrefix(c.AcceptsLanguages("ja", "en"), "ja") {
		return "ja"
	}
	return "en"
}

func render(c *fiber.Ctx, status int, d pageData) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	var b strings.Builder
	if err := page.Execute(&b, d); err != nil {
		return err
	}
	return c.Status(status).SendString(b.String())
}

// refused renders a refusal: the error's reason (safe to show).
func refused(c *fiber.Ctx, l string, err error) error {
	heading := map[string]string{"ja": "配信停止できませんでした", "en": "Could not unsubscribe"}[l]
	text := err.Error()
	if e, ok := err.(*collector.Error); ok {
		text = e.Reason
	}
	return render(c, ingest.Status(collector.ErrorCode(err)), pageData{Lang: l, Heading: heading, Text: text})
}

func (h *Handler) unsubscribePage(c *fiber.Ctx) error {
	l := lang(c)
	link, err := h.Preferences.VerifyLink(c.Query("t"))
	if err != nil {
		return refused(c, l, err)
	}
	d := pageData{Lang: l, Form: true}
	if l == "ja" {
		d.Heading, d.Text, d.Button = "配信停止", "「"+link.Title.In("ja")+"」の"+channelName(link.Channel, "ja")+"による配信を停止します。", "配信を停止する"
	} else {
		d.Heading, d.Text, d.Button = "Unsubscribe", "Stop receiving “"+link.Title.In("en")+"” by "+channelName(link.Channel, "en")+".", "Unsubscribe"
	}
	return render(c, fiber.StatusOK, d)
}

func (h *Handler) unsubscribe(c *fiber.Ctx) error {
	l := lang(c)
	if c.FormValue("List-Unsubscribe") != "One-Click" {
		return refused(c, l, collector.Errorf(collector.EInvalid, "List-Unsubscribe", "want the body List-Unsubscribe=One-Click"))
	}
	link, err := h.Preferences.Unsubscribe(c.UserContext(), strings.Clone(c.Query("t")))
	if err != nil {
		if _, ok := err.(*collector.Error); !ok {
			h.Log.Error("unsubscribe", "err", err)
			err = collector.Errorf(collector.EUnavailable, "", "please retry later")
		}
		return refused(c, l, err)
	}
	d := pageData{Lang: l, Heading: "Unsubscribed", Text: "You will no longer receive “" + link.Title.In("en") + "” by " + channelName(link.Channel, "en") + "."}
	if l == "ja" {
		d.Heading, d.Text = "配信を停止しました", "「"+link.Title.In("ja")+"」の"+channelName(link.Channel, "ja")+"による配信を停止しました。"
	}
	return render(c, fiber.StatusOK, d)
}

func channelName(ch, l string) string {
	names := map[string][2]string{"email": {"メール", "e-mail"}, "sms": {"SMS", "SMS"}, "post": {"郵送", "post"}}[ch]
	if l == "ja" {
		return names[0]
	}
	return names[1]
}
