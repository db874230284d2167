package main

import (
	"net"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/config"
)

// Server is a running bare Fiber app.
type Server struct {
	Addr string
	app  *fiber.App
}

// NewApp returns a Fiber app configured as the collector's (see
// cmd/ashiato/app.go, with config.Default's server limits) whose only route
// answers 204 to POST /api/event. One difference: it lets Fiber refuse a
// body over 64 KiB from its Content-Length, where the collector reads up to
// collector.ReadBodyLimit and answers the 413 itself; the bench's bodies
// are far below either.
func NewApp() *fiber.App {
	srv := config.Default().Server
	app := fiber.New(fiber.Config{
		AppName:               "barefiber",
		DisableStartupMessage: true,
		BodyLimit:             collector.MaxBodyBytes,
		ReadTimeout:           srv.ReadTimeout,
		WriteTimeout:          srv.WriteTimeout,
		IdleTimeout:           srv.IdleTimeout,
		Concurrency:           srv.MaxConns,
		ReadBufferSize:        8192,
	})
	app.Post("/api/event", func(c *fiber.Ctx) error {
		return c.SendStatus(fiber.StatusNoContent)
	})
	return app
}

// Start listens on addr and serves NewApp in the background.
func Start(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: ln.Addr().String(), app: NewApp()}
	go func() { _ = s.app.Listener(ln) }()
	return s, nil
}

// Close stops the server, letting open requests finish within 5 s.
func (s *Server) Close() error { return s.app.ShutdownWithTimeout(5 * time.Second) }
