package ingest

import (
	"io"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"
)

func TestForwardedForJoinsHeaderLines(t *testing.T) {
	app := fiber.New()
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString(ForwardedFor(c)) })
	for _, tc := range []struct {
		lines []string
		want  string
	}{
		{nil, ""},
		{[]string{"203.0.113.7"}, "203.0.113.7"},
		{[]string{"198.51.100.1, 10.0.0.2", "10.0.0.3"}, "198.51.100.1, 10.0.0.2,10.0.0.3"},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		for _, l := range tc.lines {
			req.Header.Add("X-Forwarded-For", l)
		}
		resp, err := app.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if string(b) != tc.want {
			t.Errorf("lines %q: got %q, want %q", tc.lines, b, tc.want)
		}
	}
}
