package main

import (
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector/config"
)

// startApp serves app on a free loopback port until the test ends and
// returns its base URL.
func startApp(t testing.TB, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.Shutdown() })
	return "http://" + ln.Addr().String()
}

// TestLargeHeaders shows that a big but normal Cookie header is served,
// and that headers above the read buffer are answered 431 without an
// error log line per request.
func TestLargeHeaders(t *testing.T) {
	logs := &syncBuffer{}
	app := newApp(config.Server{}, nil, newLogger(logs, "debug"))
	app.Get("/x", func(c *fiber.Ctx) error { return c.SendString("ok") })
	base := startApp(t, app)
	for _, tc := range []struct {
		name   string
		cookie int
		want   int
	}{
		{"normal", 100, 200},
		{"big site cookie 8.4 KB", 8600, 200},
		{"15 KB", 15 << 10, 200},
		{"over the buffer", 40 << 10, http.StatusRequestHeaderFieldsTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", base+"/x", nil)
			req.Header.Set("Cookie", "a="+strings.Repeat("x", tc.cookie))
			st, body, _ := do(t, req)
			if st != tc.want {
				t.Fatalf("status %d (%s), want %d", st, body, tc.want)
			}
		})
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Fatalf("error logged for oversized headers:\n%s", logs)
	}
}
