// Package web serves what is not an API: the embeddable scripts with cache
// headers and versioned URLs, the demo page and the operations endpoints.
package web

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/gofiber/fiber/v2"

	banner "github.com/ashiato/ashiato/consent-banner"
	prefcenter "github.com/ashiato/ashiato/preference-center"
	sdkjs "github.com/ashiato/ashiato/sdk-js"
)

// Asset is one embedded file with its content hash.
type Asset struct {
	Name        string // "s.js"
	ContentType string
	Body        []byte
	Hash        string // first 10 hex digits of SHA-256, for versioned URLs
	SRI         string // "sha384-…" for Subresource Integrity
}

func newAsset(name, ctype string, body []byte) Asset {
	h := sha256.Sum256(body)
	s := sha512.Sum384(body)
	return Asset{Name: name, ContentType: ctype, Body: body,
		Hash: hex.EncodeToString(h[:5]), SRI: "sha384-" + base64.StdEncoding.EncodeToString(s[:])}
}

// Versioned returns the versioned path, e.g. "/s.3f2a9c0d1e.js".
func (a Asset) Versioned() string {
	dot := strings.LastIndexByte(a.Name, '.')
	return "/" + a.Name[:dot] + "." + a.Hash + a.Name[dot:]
}

// Assets are the embedded browser files.
var Assets = []Asset{
	newAsset("s.js", "text/javascript; charset=utf-8", sdkjs.Script),
	newAsset("consent.js", "text/javascript; charset=utf-8", banner.Script),
	newAsset("consent.css", "text/css; charset=utf-8", banner.CSS),
	newAsset("preferences.js", "text/javascript; charset=utf-8", prefcenter.Script),
	newAsset("preferences.css", "text/css; charset=utf-8", prefcenter.CSS),
}

// RegisterAssets serves each asset at its plain path (revalidated every
// hour, for embed snippets that name /s.js) and at its versioned path
// (immutable for a year).
func RegisterAssets(app fiber.Router) {
	for _, a := range Assets {
		etag := `"` + a.Hash + `"`
		serve := func(cache string) fiber.Handler {
			return func(c *fiber.Ctx) error {
				c.Set(fiber.HeaderCacheControl, cache)
				c.Set(fiber.HeaderETag, etag)
				c.Set("Cross-Origin-Resource-Policy", "cross-origin")
				c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
				c.Set(fiber.HeaderAccessControlAllowOrigin, "*") // public, no credentials: lets SRI work cross-origin
				if c.Get(fiber.HeaderIfNoneMatch) == etag {
					return c.SendStatus(fiber.StatusNotModified)
				}
				c.Set(fiber.HeaderContentType, a.ContentType)
				return c.Send(a.Body)
			}
		}
		app.Get("/"+a.Name, serve("public, max-age=3600, stale-while-revalidate=86400"))
		app.Get(a.Versioned(), serve("public, max-age=31536000, immutable"))
	}
}

// Asset returns the asset named name.
func Find(name string) Asset {
	for _, a := range Assets {
		if a.Name == name {
			return a
		}
	}
	return Asset{}
}
