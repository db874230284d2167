package admin

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openAPI is the OpenAPI 3 document of the admin API, served at
// Prefix+OpenAPIPath; TestOpenAPIMatchesRoutes keeps it equal to Routes().
//
//go:embed openapi.json
var openAPI []byte

// OpenAPIPath is where the document is served, below Prefix (scope query,
// like the reports it describes).
const OpenAPIPath = "/openapi.json"

// OpenAPI returns the OpenAPI 3 document of the admin API.
func OpenAPI() []byte { return openAPI }

func serveOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(openAPI)
}
